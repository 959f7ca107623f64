"""The first hour of a new user, in headless Chromium (issue #18): the start-up state, offline API
documentation, form controls beside their labels, readable charts and an honest /patronen.

The server runs in this process (uvicorn in a thread) on the ingested sample corpus, so the tests
can set the start-up state. Every test writes a screenshot to its ``tmp_path`` to look at.
Never downloads a browser: it uses ``/usr/bin/chromium``.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.knowledge import KnowledgeBase
from tests.conftest import PASSWORD, require
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, free_port, log_in

ADMIN_NAME = "beheer.eerste-uur"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_server(sample_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The ingested sample corpus, on a copy of its data so signals made here stay here."""
    import uvicorn

    from api.app import create_app
    from kb.settings import Settings

    data = tmp_path_factory.mktemp("first-hour") / "data"
    shutil.copytree(sample_kb.settings.data_dir, data)
    kb = KnowledgeBase(Settings(data_dir=data, content_dir=sample_kb.settings.content_dir))
    kb.accounts.add(ADMIN_NAME, "admin", wachtwoord=PASSWORD)
    app = create_app(kb.settings, kb=kb)
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
    kb.close()


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
    log_in(page, base, ADMIN_NAME)
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


def _beside_their_labels(page: Any, selector: str) -> int:
    """How many ``selector`` controls sit right before their label text (same line, a small gap)."""
    return int(
        page.evaluate(
            """(selector) => {
                let good = 0;
                for (const input of document.querySelectorAll(selector)) {
                    const box = input.getBoundingClientRect();
                    const range = document.createRange();
                    range.selectNodeContents(input.parentElement);
                    range.setStartAfter(input);
                    const text = range.getBoundingClientRect();
                    const gap = text.left - box.right;
                    const sameLine = Math.abs((text.top + text.bottom) / 2 - (box.top + box.bottom) / 2) < 8;
                    if (box.width < 30 && gap >= 0 && gap < 16 && sameLine) good++;
                }
                return good;
            }""",
            selector,
        )
    )


def test_checkboxes_and_radios_sit_next_to_their_labels(
    offline_page: Any, app_server: tuple[str, Any], tmp_path: Path
) -> None:
    base, _ = app_server
    page = offline_page
    page.goto(base + "/signalen/nieuw")
    boxes = page.locator('fieldset input[type="checkbox"]')
    assert boxes.count() > 10
    assert _beside_their_labels(page, 'fieldset input[type="checkbox"]') == boxes.count()
    page.locator("fieldset.field").screenshot(path=str(tmp_path / "signaal-nieuw-blokkades.png"))
    page.get_by_label("Titel").fill("Wachtlijst jeugd-ggz loopt op")
    page.get_by_label("Adressaat").select_option(index=1)
    page.get_by_label("Wachtlijst").check()
    page.get_by_label("Uw naam of functie").fill("Teamleider")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/signalen/*")
    radios = page.locator('input[type="radio"]')
    assert radios.count() >= 2
    assert _beside_their_labels(page, 'input[type="radio"]') == radios.count()
    page.locator("form fieldset.field").screenshot(path=str(tmp_path / "signaal-status.png"))
    page.goto(base + "/patronen")
    assert _beside_their_labels(page, 'input[name="suggesties"]') == 1


def _overlaps(page: Any, selector: str) -> list[str]:
    """Pairs of text elements in the chart ``selector`` whose drawn boxes overlap."""
    return list(
        page.evaluate(
            """(selector) => {
                const texts = [...document.querySelector(selector).querySelectorAll('text')];
                const boxes = texts.map((t) => [t, t.getBoundingClientRect()]);
                const out = [];
                for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                    const [a, r] = boxes[i], [b, s] = boxes[j];
                    if (r.width && s.width && r.left < s.right - 1 && s.left < r.right - 1
                        && r.top < s.bottom - 1 && s.top < r.bottom - 1)
                        out.push(a.textContent + ' / ' + b.textContent);
                }
                return out;
            }""",
            selector,
        )
    )


def test_quarterly_chart_labels_do_not_overlap_and_regions_are_not_cut_off(
    offline_page: Any, app_server: tuple[str, Any], tmp_path: Path
) -> None:
    base, _ = app_server
    page = offline_page
    page.goto(base + "/patronen?per=kwartaal")
    chart = page.locator("svg.chart-line")
    assert page.locator("svg.chart-line .series").count() == 5
    assert _overlaps(page, "svg.chart-line") == []
    chart.screenshot(path=str(tmp_path / "kwartalen.png"))
    regions = page.locator("#h-regio ~ svg.chart-heatmap, #h-regio + svg.chart-heatmap").first
    inside = page.evaluate(
        """(svg) => {
            const frame = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('.heatmap-row > text')].filter((t) => {
                const r = t.getBoundingClientRect();
                return r.left < frame.left - 0.5 || r.right > frame.right + 0.5;
            }).map((t) => t.textContent);
        }""",
        regions.element_handle(),
    )
    assert inside == []
    assert "Amsterdam-Amstelland" in (regions.text_content() or "")
    regions.screenshot(path=str(tmp_path / "regio-heatmap.png"))


def test_patterns_page_gives_a_summary_first_and_details_behind_anchors(
    offline_page: Any, app_server: tuple[str, Any], tmp_path: Path
) -> None:
    base, _ = app_server
    page = offline_page
    page.goto(base + "/patronen?per=kwartaal")
    anchors = page.locator("nav.toc a")
    assert anchors.count() >= 10
    for href in anchors.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"):
        assert page.locator(href).count() == 1, href
    assert page.evaluate("document.body.scrollHeight") < 6000  # was 15,000 px with every table open
    assert page.locator("details.more[open]").count() == 0
    page.locator('nav.toc a[href="#h-per-team"]').click()
    assert page.locator("#h-per-team").is_visible()
    page.screenshot(path=str(tmp_path / "patronen-boven.png"))


def test_honest_pages_and_the_analyser_in_the_browser(
    offline_page: Any, app_server: tuple[str, Any], tmp_path: Path
) -> None:
    base, _ = app_server
    page = offline_page
    page.goto(base + "/patronen?per=jaar&van=2023-12&tot=2025-11")
    assert "11 van 12 maanden" in page.locator("#onvolledig").inner_text()
    page.locator(".headline").screenshot(path=str(tmp_path / "patronen-onvolledig.png"))
    page.goto(base + "/zoeken?q=thuiszitter&page=999")
    assert "Pagina 999 bestaat niet" in page.locator("#voorbij").inner_text()
    page.get_by_role("link", name="Naar de laatste pagina").click()
    page.wait_for_url("**page=2*")
    assert page.locator(".hit").count() > 0
    page.goto(base + "/analyseren")
    page.get_by_label("Tekst").fill(
        "Het CIZ wees de Wlz-aanvraag af. De gemeente vindt dat de Wlz moet betalen, "
        "maar het CIZ weigerde opnieuw een Wlz-indicatie."
    )
    page.get_by_role("button", name="Analyseren").click()
    page.wait_for_selector(".analysis")
    labels = page.locator(".findings > li > a").all_inner_texts()
    assert labels and len(labels) == len(set(labels))
    assert "Pijplijn" not in page.locator("main").inner_text()
    page.locator(".analysis").screenshot(path=str(tmp_path / "analyseren.png"))
