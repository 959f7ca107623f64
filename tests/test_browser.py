"""Browser test: a real server on 127.0.0.1 and headless Debian Chromium driven by Playwright.

Searches the sample corpus, narrows by a blocker facet and opens a result, as a professional
would. Never downloads a browser: it uses ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_CORPUS, require

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    content = root / "content"
    shutil.copytree(SAMPLE_CORPUS, content)
    port = free_port()
    env = {
        **os.environ,
        "LEERLUS_DATA_DIR": str(root / "data"),
        "LEERLUS_CONTENT_DIR": str(content),
    }
    log = (root / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "leerlus", "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # at most 30 s
            if proc.poll() is not None:
                pytest.fail(f"server stopped: {(root / 'server.log').read_text()}")
            try:
                urllib.request.urlopen(url + "/api/facets", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not answer within 30 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require(Path(CHROMIUM).exists(), "Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_search_facet_open(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(server + "/")
    page.get_by_label("Zoekvraag").fill("thuiszitter")
    page.get_by_label("Zoekvraag").press("Enter")
    page.wait_for_url("**/zoeken?q=thuiszitter*")
    total_before = page.locator(".hit").count()
    assert total_before > 1
    assert page.locator(".hit mark").count() > 0

    facet = page.locator('.facets a[data-facet="blokkades"][data-value="grens.jeugdwet-onderwijs"]')
    expected = int(facet.locator("xpath=following-sibling::span").inner_text())
    facet.click()
    page.wait_for_url("**blokkades=grens.jeugdwet-onderwijs*")
    summary = page.locator(".summary").inner_text()
    assert summary.startswith(f"{expected} casus")
    assert page.locator('.facets a[aria-current="true"]').count() == 1

    first = page.locator(".hit h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/casus/**")
    assert page.locator("h1").inner_text() == title
    assert page.get_by_role("link", name="Grens Jeugdwet – passend onderwijs").count() >= 1
    page.screenshot(path=str(tmp_path / "casus.png"), full_page=True)


def test_keyboard_only_search(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(server + "/casus/2020-02-thuiszitter-autisme-swv")
    page.keyboard.press("Tab")  # the skip link comes first on every page
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    page.goto(server + "/")
    assert page.evaluate("document.activeElement.id") == "q"  # the home page starts in the search box
    page.keyboard.type("wachtlijst")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zoeken?q=wachtlijst*")
    assert page.locator(".hit").count() > 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
