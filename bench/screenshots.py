"""Review stage: a screenshot of every page, as a new user sees it, to look at before landing.

Starts ``leerlus serve`` on a free 127.0.0.1 port with its own data directory and a copy of the
sample corpus, photographs the start-up while the cases are being read, then signs in as each role
and photographs every page (and the pages a user reaches by mistake: a wrong address, a page of
another role, an empty form). Headless Debian Chromium through Playwright; every host other than
ours is refused, as on a machine without internet. Besides the PNGs it writes ``bevindingen.txt``:
per page the text a reader should never see (English, ``None``, raw codes) and boxes that overflow.

    python bench/screenshots.py [--uit MAP]

The PNGs go to a new temporary directory unless ``--uit`` names one; the script prints where.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PASSWORD = "correct paard batterij niet"
USERS = {  # role: (name, team)
    "professional": ("p.devries", "Buurtteam Noordoost"),
    "manager": ("m.jansen", None),
    "expertteam": ("e.bakker", "Expertteam passende hulp Utrecht"),
    "admin": ("functioneel.beheer", None),
}

# (file name, role, address) of every page a signed-in user opens by address.
PAGES: list[tuple[str, str, str]] = [
    ("01-start", "professional", "/"),
    ("02-zoeken-thuiszitter", "professional", "/zoeken?q=thuiszitter"),
    ("03-zoeken-schulden", "professional", "/zoeken?q=schulden+huisuitzetting"),
    ("04-zoeken-voorbij", "professional", "/zoeken?q=thuiszitter&page=999"),
    ("05-zoeken-niets", "professional", "/zoeken?q=xyzzyq"),
    ("06-casussen", "professional", "/zoeken?sort=datum"),
    ("07-casus-bespreking", "professional", "/casus/2020-02-thuiszitter-autisme-swv"),
    ("08-casus-bindend-advies", "expertteam", "/casus/{advies}"),
    ("09-casus-bewerken", "admin", "/casus/2020-02-thuiszitter-autisme-swv/bewerken"),
    ("10-nieuw", "professional", "/nieuw"),
    ("11-precedenten", "professional", "/precedenten"),
    ("12-analyseren", "professional", "/analyseren"),
    ("13-bewaard", "professional", "/zoekopdrachten"),
    ("14-beoordelen", "professional", "/beoordelen"),
    ("15-patronen", "manager", "/patronen"),
    ("16-patronen-kwartaal", "manager", "/patronen?per=kwartaal"),
    ("17-patronen-jaar-onvolledig", "manager", "/patronen?per=jaar&van=2023-12&tot=2025-11"),
    ("18-patronen-omgekeerd", "manager", "/patronen?van=2025-06&tot=2024-01"),
    ("19-patronen-casussen", "manager", "/patronen/casussen?blokkade=grens.jeugdwet-wlz"),
    ("20-signalen", "manager", "/signalen"),
    ("21-signaal-nieuw", "manager", "/signalen/nieuw"),
    ("22-signaal", "manager", "/signalen/1"),
    ("23-rapport", "manager", "/rapport"),
    ("24-rapport-periode", "manager", "/rapport?van=2024-01&tot=2024-12"),
    ("25-rapport-omgekeerd", "manager", "/rapport?van=2025-06&tot=2024-01"),
    ("26-dossier", "expertteam", "/dossier"),
    ("27-naleving", "expertteam", "/naleving"),
    ("28-audit", "admin", "/audit"),
    ("29-docs", "admin", "/docs"),
    ("30-niet-gevonden", "professional", "/bestaat-niet"),
    ("31-casus-onbekend", "professional", "/casus/bestaat-niet"),
    ("32-signaal-geen-nummer", "manager", "/signalen/abc"),
    ("33-geen-toegang", "professional", "/patronen"),
    ("34-zoeken-foute-pagina", "professional", "/zoeken?q=wlz&page=nul"),
    ("35-patronen-foute-maand", "manager", "/patronen?van=2024-13"),
]

# Text a reader should never meet: developer words, English, Python values, raw codes outside a
# <code> element (a code shown on purpose beside its label is in one), unrendered Markdown links.
SUSPECT = re.compile(
    r"\b(None|True|False|null|undefined|NaN|Traceback|Internal Server Error|Not Found|Forbidden|"
    r"Method Not Allowed|Unprocessable|field required|Input should|value is not|Submit|Search|Next|Previous|"
    r"Login|Logout|Sign in|Error|Cancel|Delete|Results|Loading|Required|Invalid|Missing|"
    r"signal_id|case_id|Pijplijn|spacy|POST /api|GET /api|"
    r"bindend-advies|levenslange-beperking|ouders-complex|kwetsbare-gezinnen|enkelvoudige-ggz|ernstige-psychiatrie|"
    r"(?:grens|aanbod|bestaanszekerheid|transitie|financiering|regels|privacy|ouders|samenwerking)\.[a-z0-9-]+)\b"
    r"|\[\[|\]\]|[\ue000-\uf8ff]"
)
# The visible text of the page's main part, without <code> elements and form controls.
TEXT_JS = """() => {
    const main = document.querySelector('main') || document.body;
    const copy = main.cloneNode(true);
    copy.querySelectorAll('code, pre, script, style, select, textarea, .visually-hidden').forEach((e) => e.remove());
    const box = document.createElement('div');
    box.style.position = 'absolute'; box.style.left = '-99999px'; box.appendChild(copy);
    document.body.appendChild(box);
    const text = copy.innerText;
    box.remove();
    return text;
}"""
# Boxes whose text is cut off: clipped overflow or an ellipsis, and chart labels shortened with "…".
CUT_JS = """() => {
    const out = [];
    for (const e of document.querySelectorAll('main *')) {
        if (['INPUT', 'TEXTAREA', 'SELECT', 'OPTION'].includes(e.tagName)) continue;
        if (e.closest('.visually-hidden, details:not([open])')) continue;
        const s = getComputedStyle(e);
        const clips = ['hidden', 'clip'].includes(s.overflowX) || s.textOverflow === 'ellipsis';
        if (clips && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 1)  // 1 px: hidden for the eye only
            out.push(e.tagName + ': ' + e.textContent.trim().slice(0, 60));
    }
    if (window.innerWidth >= 1000)  // at a desk a table fits; only a folded-out wide table may scroll
        for (const box of document.querySelectorAll('main .table-scroll, main .table-wrap'))
            if (!box.closest('details') && box.scrollWidth > box.clientWidth + 1)
                out.push('tabel schuift: ' + box.textContent.trim().slice(0, 60));
    for (const t of document.querySelectorAll('main svg text')) {
        if (t.textContent.includes('…') && !t.closest('details:not([open])'))
            out.push('grafieklabel: ' + t.textContent);
    }
    return out;
}"""


def findings(page: Any) -> list[str]:
    """What is wrong on the page as drawn: suspect words in the visible text, content wider than
    the window, and text that is cut off. Swagger UI (/docs) is checked only for width."""
    out: list[str] = []
    if not page.locator(".swagger-ui").count():
        text = page.evaluate(TEXT_JS)
        for match in sorted({m.group(0) for m in SUSPECT.finditer(text)}):
            line = next((x for x in text.splitlines() if match in x), "")
            out.append(f"tekst {match!r}: {line.strip()[:140]}")
        out += [f"afgesneden: {c}" for c in page.evaluate(CUT_JS)]
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if wide > 1:
        out.append(f"pagina is {wide}px breder dan het venster")
    return out


def run(command: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: {done.stderr}")
    return done.stdout


def status(url: str) -> dict[str, Any] | None:
    try:
        return dict(json.loads(urllib.request.urlopen(url + "/api/status", timeout=1).read()))
    except OSError:
        return None


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uit", type=Path, default=None, help="map voor de PNG's (standaard: nieuw, tijdelijk)")
    parser.add_argument("--breedte", type=int, default=1280)
    options = parser.parse_args()
    out = options.uit or Path(tempfile.mkdtemp(prefix="leerlus-schermen-"))
    (out / "delen").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="leerlus-schermen-data-"))
    shutil.copytree(ROOT / "content", work / "content")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LEERLUS_DATA_DIR": str(work / "data"),
        "LEERLUS_CONTENT_DIR": str(work / "content"),
    }
    leerlus = [sys.executable, "-m", "leerlus"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (work / "server.log").open("w")
    server = subprocess.Popen([*leerlus, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    report: list[str] = []
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            first_link = _start_up(browser, url, work / "server.log", out, report)
            for role, (name, team) in USERS.items():
                command = [*leerlus, "gebruikers", "toevoegen", name, "--rol", role, "--wachtwoord-stdin"]
                run(command + (["--team", team] if team else []), env, PASSWORD + "\n")
            del first_link
            pages = {role: _signed_in(browser, url, name, options.breedte) for role, (name, _) in USERS.items()}
            _make_things(pages, url)
            advice = pages["expertteam"].evaluate(
                "async () => (await (await fetch('/api/search?soort=bindend-advies&limit=1')).json()).hits[0].id"
            )
            for file, role, address in PAGES:
                page = pages[role]
                response = page.goto(url + address.replace("{advies}", advice))
                if address == "/docs":
                    page.wait_for_selector(".swagger-ui .info .title")
                _shoot(page, out, file, response.status if response else 0, report)
            _forms(pages, url, out, report)
            manager = pages["manager"]
            manager.goto(url + "/patronen")
            manager.evaluate("document.querySelectorAll('details').forEach((d) => d.open = true)")
            _shoot(manager, out, "47-patronen-alles-open", 200, report)
            anonymous = browser.new_page(viewport={"width": options.breedte, "height": 900})
            anonymous.goto(url + "/inloggen")
            _shoot(anonymous, out, "00-inloggen", 200, report)
            anonymous.goto(url + "/zoeken?q=wlz")
            _shoot(anonymous, out, "00-niet-ingelogd", 200, report)
            narrow = _signed_in(browser, url, USERS["manager"][0], 390)
            for file, address in (("60-smal-start", "/"), ("61-smal-patronen", "/patronen")):
                narrow.goto(url + address)
                _shoot(narrow, out, file, 200, report)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    (out / "bevindingen.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"{len(list(out.glob('*.png')))} schermafdrukken en bevindingen.txt in {out}")


def _start_up(browser: Any, url: str, log: Path, out: Path, report: list[str]) -> str:
    """Photograph the home page while the server reads the cases (signed in with the local
    administrator's one-time link from the server's output); return that link."""
    deadline = time.monotonic() + 600
    link = ""
    while not link:
        found = re.search(r"http://\S+/inloggen/link/\S+", log.read_text(encoding="utf-8"))
        link = found.group(0) if found else ""
        if time.monotonic() > deadline:
            raise SystemExit("de server gaf geen inloglink")
        time.sleep(0.2)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(link)
    shots = 0
    while (state := status(url)) is None or state["opwarmen"] != "klaar":
        if state and shots < 4:
            page.goto(url + "/")
            shots += 1
            _shoot(page, out, f"00-opstart-{shots}", 200, report)
        time.sleep(1.5)
        if time.monotonic() > deadline:
            raise SystemExit("de server werd niet klaar")
    page.close()
    return link


def _signed_in(browser: Any, url: str, name: str, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url + "/inloggen")
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(url + "/")
    return page


def _make_things(pages: dict[str, Any], url: str) -> None:
    """A signal and a saved search, so their pages have something to show."""
    manager = pages["manager"]
    manager.goto(url + "/signalen/nieuw")
    manager.get_by_label("Titel").fill("Wachtlijst jeugd-ggz loopt op")
    manager.get_by_label("Adressaat").select_option(index=1)
    manager.get_by_label("Wachtlijst").check()
    manager.get_by_label("Uw naam of functie").fill("Teamleider")
    manager.locator("form button[type=submit]").last.click()
    manager.wait_for_url("**/signalen/*")
    professional = pages["professional"]
    professional.goto(url + "/zoeken?q=thuiszitter")
    save = professional.locator("form.save-search")
    if save.count():
        save.locator("input[name=naam]").fill("Thuiszitters")
        save.locator("button").click()


def _forms(pages: dict[str, Any], url: str, out: Path, report: list[str]) -> None:
    """Pages a user reaches through a form: an empty draft, a draft, a text to analyse, a dossier."""
    page = pages["professional"]
    page.goto(url + "/precedenten")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    _shoot(page, out, "40-precedenten-leeg", 200, report)
    page.goto(url + "/precedenten")
    page.locator("textarea").first.fill(
        "Een jongen van 15 met autisme zit al een jaar thuis. De school zegt geen passend aanbod te hebben; "
        "het samenwerkingsverband en de gemeente zijn het niet eens over wie de begeleiding betaalt."
    )
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    _shoot(page, out, "41-precedenten-brief", 200, report)
    page.goto(url + "/analyseren")
    page.get_by_label("Tekst").fill(
        "Het CIZ wees de Wlz-aanvraag af. De gemeente vindt dat de Wlz moet betalen, maar het CIZ weigerde "
        "opnieuw een Wlz-indicatie. Moeder heeft schulden bij de woningcorporatie; IBAN NL91ABNA0417164300."
    )
    page.get_by_role("button", name="Analyseren").click()
    page.wait_for_selector(".analysis")
    _shoot(page, out, "42-analyseren-uitslag", 200, report)
    page.goto(url + "/analyseren")
    page.get_by_role("button", name="Analyseren").click()
    page.wait_for_load_state("load")
    _shoot(page, out, "43-analyseren-leeg", 200, report)
    page.goto(url + "/nieuw")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    _shoot(page, out, "44-nieuw-leeg", 200, report)
    expert = pages["expertteam"]
    expert.goto(url + "/dossier")
    expert.locator("form button[type=submit]").last.click()
    expert.wait_for_load_state("load")
    _shoot(expert, out, "45-dossier-uitslag", 200, report)
    manager = pages["manager"]
    manager.goto(url + "/signalen/nieuw")
    manager.locator("form button[type=submit]").last.click()
    manager.wait_for_load_state("load")
    _shoot(manager, out, "46-signaal-leeg", 200, report)


TILE = 1300  # a long page is also saved in pieces of this height, each readable on a screen


def _shoot(page: Any, out: Path, name: str, code: int, report: list[str]) -> None:
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    width, height = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    if height > TILE * 1.2:
        for number, top in enumerate(range(0, height, TILE), start=1):
            clip = {"x": 0, "y": top, "width": width, "height": min(TILE, height - top)}
            page.screenshot(path=str(out / "delen" / f"{name}-{number}.png"), full_page=True, clip=clip)
    problems = findings(page)
    report.append(f"{name} [{code}] {page.url}")
    report += [f"    {p}" for p in problems]


if __name__ == "__main__":
    main()
