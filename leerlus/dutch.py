"""Command-line stage: the one place where the text of typer (and the click it carries) becomes Dutch.

Help and usage errors are written by typer, in English: some through gettext, most as fixed text in
its copy of click. Leerlus installs no message catalogue for the whole process. :func:`install`
hands typer a translating ``_`` for the gettext messages (:data:`MESSAGES`), sets the panel titles
typer translates once at import, passes a Dutch usage prefix and help-option text, runs every
usage error through :func:`to_dutch` (:data:`PATTERNS`, tried in order), and writes the kind of
value an option takes in words (:func:`dutch_type`: ``<tekst>``, ``<getal>``, ``<pad>``, not
typer's ``<str>``, ``<int>``, ``<path>``; a flag takes no value and shows none). A file that cannot
be read or written is named with the reason in Dutch (:func:`os_error`), not the system's English. What is in no
table stays as it was; ``tests/test_cli_dutch.py`` shows the help and errors a user sees are Dutch.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from gettext import gettext
from typing import Any

MESSAGES: dict[str, str] = {
    "Options": "Opties",
    "Arguments": "Argumenten",
    "Commands": "Opdrachten",
    "Error": "Fout",
    "[required]": "[verplicht]",
    "required": "verplicht",
    "[default: {}]": "[standaard: {}]",
    "default: {default}": "standaard: {default}",
    "[env var: {}]": "[omgevingsvariabele: {}]",
    "env var: {var}": "omgevingsvariabele: {var}",
    "(deprecated) ": "(verouderd) ",
    "(dynamic)": "(dynamisch)",
    "Aborted.": "Afgebroken.",
    "Aborted!": "Afgebroken.",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "Zie [blue]'{command_path} {help_option}'[/] voor hulp.",
    "Missing command.": "Geef een opdracht.",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
}

USAGE_PREFIX = "Gebruik: "
USAGE_WORDS = {"[OPTIONS]": "[OPTIES]", "COMMAND [ARGS]...": "OPDRACHT [ARGUMENTEN]..."}
HELP_OPTION_TEXT = "Toon deze hulp en stop."

# Usage errors of typer's click, as regular expressions over the whole message, first match wins.
PATTERNS: list[tuple[str, str]] = [
    (r"Missing option (.+)\.", r"Ontbrekende optie \1."),
    (r"Missing argument (.+)\.", r"Ontbrekend argument \1."),
    (r"Missing parameter (.+)\.", r"Ontbrekende parameter \1."),
    (r"Missing parameter: (.+)", r"Ontbrekende parameter: \1"),
    (r"No such option: (\S+) \(Possible options: (.+)\)", r"Onbekende optie: \1 (bedoelde u: \2?)"),
    (r"No such option: (.+)", r"Onbekende optie: \1"),
    (r"(.+)\. Did you mean (.+)\?", r"\1. Bedoelde u \2?"),
    (r"Option (.+) requires an argument\.", r"Optie \1 heeft een waarde nodig."),
    (r"Option (.+) requires (\d+) arguments\.", r"Optie \1 heeft \2 waarden nodig."),
    (r"Option (.+) does not take a value\.", r"Optie \1 neemt geen waarde."),
    (r"Argument (.+) takes (\d+) values\.", r"Argument \1 neemt \2 waarden."),
    (r"Got unexpected extra argument\(s\) \((.+)\)", r"Onverwacht extra argument (\1)"),
    (r"Could not open file (.+): (.+)", r"Kan bestand \1 niet openen: \2"),
    (r"Invalid value for (.+?): (.+)", r"Ongeldige waarde voor \1: \2"),
    (r"Invalid value: (.+)", r"Ongeldige waarde: \1"),
]
# The reasons inside "Invalid value for ...: <reason>" (pydantic and typer's own checks).
REASONS: list[tuple[str, str]] = [
    (r"Input should be a valid integer.*", "geef een geheel getal"),
    (r"Input should be a valid number.*", "geef een getal"),
    (r"Input should be a valid boolean.*", "geef ja of nee (true of false)"),
    (r"Input should be greater than or equal to (\S+)", r"geef minstens \1"),
    (r"Input should be less than or equal to (\S+)", r"geef hoogstens \1"),
    (r"Input should be (.+)", r"kies \1"),
    (r"Value (.+) is not a valid (\w+)\.", r"\1 is geen geldige \2."),
    (r"Path (.+) does not exist\.", r"pad \1 bestaat niet."),
]
# The kind of value next to an option or argument in the help, as typer names it (a Python type, a
# path kind, "int range") and as a Dutch reader does. A flag (bool) takes no value: nothing is shown.
TYPE_WORDS: dict[str, str] = {
    "str": "tekst",
    "int": "getal",
    "float": "getal",
    "int range": "getal",
    "float range": "getal",
    "bool": "",
    "path": "pad",
    "file": "bestand",
    "dir": "map",
    "datetime": "datum",
    "Path": "pad",
}
# Why a file could not be read or written, by errno, as the operating system says it in English.
OS_REASONS: dict[int, str] = {
    errno.ENOENT: "bestaat niet (of de map erboven bestaat niet)",
    errno.EISDIR: "is een map, geen bestand",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.EACCES: "geen toegang",
    errno.EPERM: "geen toegang",
    errno.EEXIST: "bestaat al",
    errno.ENOSPC: "de schijf is vol",
    errno.EROFS: "staat op een schijf die alleen gelezen kan worden",
    errno.ENAMETOOLONG: "de naam is te lang",
}
_PATTERNS = [(re.compile(rf"^{p}$", re.S), r) for p, r in PATTERNS]
_REASONS = [(re.compile(rf"^{p}$", re.S), r) for p, r in REASONS]


def translate(message: str) -> str:
    """A gettext message of typer in Dutch (or unchanged when unknown)."""
    return MESSAGES.get(message, gettext(message))


def to_dutch(message: str) -> str:
    """A usage error of typer's click in Dutch (or unchanged when unknown)."""
    for pattern, replacement in _PATTERNS:
        match = pattern.match(message)
        if match:
            message = match.expand(replacement)
            break
    head, sep, reason = message.rpartition(": ")
    for pattern, replacement in _REASONS:
        match = pattern.match(reason)
        if match:
            return head + sep + match.expand(replacement)
    return message


def os_error(error: OSError) -> str:
    """A file error in Dutch: the path and why ("'/x/y.json': bestaat niet ..."), never the
    operating system's English ("No such file or directory")."""
    reason = OS_REASONS.get(error.errno or 0, "is niet te lezen of te schrijven")
    where = f"'{error.filename}'" if error.filename else "bestand"
    return f"{where}: {reason}"


def dutch_type(shown: str) -> str:
    """typer's ``<str>`` as ``<tekst>``, ``<list[str]>`` as ``<tekst>...``, ``<bool>`` as nothing;
    choices (``<maand|kwartaal|jaar>``) are already words and stay."""
    match = re.fullmatch(r"<(list\[)?([^\]>]*)\]?>(\.\.\.)?", shown)
    if match is None or match.group(2) not in TYPE_WORDS:
        return shown
    word = TYPE_WORDS[match.group(2)]
    if not word:
        return ""
    return f"<{word}>" + ("..." if match.group(1) or match.group(3) else "")


def dutch_range(low: float | None, high: float | None) -> str | None:
    """typer's ``x>=1`` and ``1<=x<=5`` as words."""
    if low is None and high is None:
        return None
    if low is None:
        return f"hoogstens {high}"
    return f"minstens {low}" if high is None else f"{low} tot en met {high}"


def install() -> None:
    """Make typer's help and errors Dutch in this process (idempotent)."""
    import typer.core
    import typer.main
    import typer.rich_utils
    from typer._click import decorators, exceptions, formatting

    for module in (typer.core, typer.main, typer.rich_utils):
        if callable(getattr(module, "_", None)):
            module._ = translate  # type: ignore[attr-defined]
    for constant, english in _panel_constants(typer.rich_utils).items():
        setattr(typer.rich_utils, constant, translate(english))
    for cls in vars(exceptions).values():
        if isinstance(cls, type) and "format_message" in vars(cls) and not hasattr(cls.format_message, "dutch"):
            cls.format_message = _dutch_message(cls.format_message)  # type: ignore[attr-defined]
    if not hasattr(formatting.HelpFormatter.write_usage, "dutch"):
        formatting.HelpFormatter.write_usage = _dutch_usage(formatting.HelpFormatter.write_usage)  # type: ignore[method-assign]
    if not hasattr(decorators.help_option, "dutch"):
        decorators.help_option = _dutch_help_option(decorators.help_option)
    parameter = getattr(typer.core, "_TyperParameter", None)
    if parameter is not None and not hasattr(parameter.display_type, "dutch"):
        parameter.display_type = _dutch_display_type(parameter.display_type)
    if hasattr(typer.core, "describe_number_range"):
        typer.core.describe_number_range = dutch_range


_ENGLISH: dict[str, str] = {}


def _panel_constants(rich_utils: Any) -> dict[str, str]:
    """typer's panel titles and markers in English, as first seen (they are set once at import)."""
    if not _ENGLISH:
        for name, value in vars(rich_utils).items():
            if name.isupper() and isinstance(value, str) and value in MESSAGES:
                _ENGLISH[name] = value
    return _ENGLISH


def _dutch_message(format_message: Callable[[Any], str]) -> Callable[[Any], str]:
    def dutch(self: Any) -> str:
        return to_dutch(format_message(self))

    dutch.dutch = True  # type: ignore[attr-defined]
    return dutch


def _dutch_display_type(display_type: Callable[[Any, Any], str]) -> Callable[[Any, Any], str]:
    def dutch(self: Any, ctx: Any) -> str:
        return dutch_type(display_type(self, ctx))

    dutch.dutch = True  # type: ignore[attr-defined]
    return dutch


def _dutch_usage(write_usage: Callable[..., None]) -> Callable[..., None]:
    def dutch(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, words in USAGE_WORDS.items():
            args = args.replace(english, words)
        write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    dutch.dutch = True  # type: ignore[attr-defined]
    return dutch


def _dutch_help_option(help_option: Callable[[list[str]], Any]) -> Callable[[list[str]], Any]:
    def dutch(param_decls: list[str]) -> Any:
        attach = help_option(param_decls)

        def decorator(command: Any) -> Any:
            result = attach(command)
            command.params[-1].help = HELP_OPTION_TEXT
            return result

        return decorator

    dutch.dutch = True  # type: ignore[attr-defined]
    return dutch
