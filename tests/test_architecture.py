"""House rules as tests: dependency direction, one module for Whoosh, docstrings, and a README
that names every command, setting and route."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kb", "ingest", "api", "web", "leerlus")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


ALLOWED = {
    "kb": {"kb"},
    "ingest": {"kb", "ingest"},
    "api": {"kb", "ingest", "api", "web"},
    "web": {"kb", "ingest", "api", "web"},
    "leerlus": set(PACKAGES),
}
WEB_FRAMEWORKS = {"fastapi", "starlette", "jinja2", "uvicorn"}


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_point_one_way(package: str) -> None:
    for path in modules(package):
        own = imports(path) & set(PACKAGES)
        assert own <= ALLOWED[package], f"{path.relative_to(ROOT)} imports {own - ALLOWED[package]}"
        if package in ("kb", "ingest"):
            assert not imports(path) & WEB_FRAMEWORKS, f"{path.relative_to(ROOT)} imports a web framework"


def test_only_kb_index_imports_whoosh() -> None:
    for package in PACKAGES:
        for path in modules(package):
            if "whoosh" in imports(path):
                assert path.parent == ROOT / "kb" / "index", path


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_says_what_it_is(package: str) -> None:
    for path in modules(package):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.name == "__init__.py" and not tree.body:
            continue
        assert ast.get_docstring(tree), f"{path.relative_to(ROOT)} has no module docstring"


def test_modules_stay_small() -> None:
    for package in PACKAGES:
        for path in modules(package):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            assert lines <= 400, f"{path.relative_to(ROOT)} has {lines} lines"


def test_readme_names_every_command() -> None:
    from leerlus.cli import app

    for command in app.registered_commands:
        name = command.name or command.callback.__name__  # type: ignore[union-attr]
        assert f"leerlus {name}" in README, name


def test_readme_names_every_setting() -> None:
    from kb.settings import Settings

    for field in Settings.model_fields:
        assert f"LEERLUS_{field.upper()}" in README, field


def test_readme_names_every_route(tmp_path: Path) -> None:
    from api.app import create_app
    from kb.settings import Settings

    app = create_app(Settings(data_dir=tmp_path / "data"))  # its own: another checkout may hold a newer schema
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/static") or path in ("/docs/oauth2-redirect", "/redoc"):
            continue
        shown = re.sub(r"\{case_id\}", "{id}", path)
        assert re.search(rf"`((GET|POST) )?{re.escape(shown)}[`?]", README), path


def test_readme_gives_the_two_commands() -> None:
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()
