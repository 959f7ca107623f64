"""The first hour of a new user, in headless Chromium (issue #18): the start-up state, offline API
documentation, form controls beside their labels, readable charts and an honest /patronen.

The server runs in this process (uvicorn in a thread) on the ingested sample corpus, so the tests
can set the start-up state. Every test writes a screenshot to its ``tmp_path`` to look at.
Never downloads a browser: it uses ``/usr/bin/chromium``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.knowledge import KnowledgeBase
from tests.conftest import require
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_server(sample_kb: KnowledgeBase) -> Iterator[tuple[str, Any]]:
    import uvicorn

    from api.app import create_app

    app = create_app(sample_kb.settings, kb=sample_kb)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), "Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def offline_page(browser: Any, app_server: tuple[str, Any]) -> Iterator[Any]:
    """A page that may reach only our own server: any other host is refused and recorded."""
    base, _ = app_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(base):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.outside = outside
    yield page
    context.close()


def test_start_up_banner_on_every_page(offline_page: Any, app_server: tuple[str, Any], tmp_path: Path) -> None:
    base, app = app_server
    startup = app.state.startup
    startup.progress("lezen", 12, 66)
    try:
        offline_page.goto(base + "/zoeken?q=thuiszitter")
        banner = offline_page.locator(".startup")
        assert "bezig met inlezen (12 van 66)" in banner.inner_text()
        offline_page.screenshot(path=str(tmp_path / "opstart-zoeken.png"), full_page=False)
        offline_page.goto(base + "/patronen")
        assert "bezig met inlezen (12 van 66)" in offline_page.locator(".startup").inner_text()
    finally:
        startup.phase = "klaar"
    offline_page.goto(base + "/")
    assert offline_page.locator(".startup").count() == 0


def test_docs_render_offline(offline_page: Any, app_server: tuple[str, Any], tmp_path: Path) -> None:
    """Every request to a host other than ours is refused, as on a machine without internet."""
    base, _ = app_server
    offline_page.goto(base + "/docs")
    offline_page.wait_for_selector(".swagger-ui .info .title")
    assert "Leerlus" in offline_page.locator(".swagger-ui .info .title").inner_text()
    assert offline_page.locator(".opblock-summary-path").count() > 10
    offline_page.screenshot(path=str(tmp_path / "docs.png"))
    assert offline_page.outside == []
