"""Every page as a new user sees it (issue #18), in headless Chromium on the sample corpus: each is
photographed into the test's ``tmp_path`` and checked as drawn, at a desk (1280 px) and on a phone
(390 px): no English, developer or Python text, no raw code outside a ``<code>``, no unrendered
``[[link]]``, no text cut off and nothing wider than the window. The page list and the checks are
those of ``bench/screenshots.py``, which writes the same photographs for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.screenshots import PAGES, findings
from kb.knowledge import KnowledgeBase
from tests.test_browser import log_in
from tests.test_first_hour_browser import ADMIN_NAME, app_server, browser  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def advice_id(sample_kb: KnowledgeBase) -> str:
    from kb.search import make_request

    return sample_kb.search(make_request(query="", filters={"soort": ["bindend-advies"]}, limit=1)).hits[0].id


@pytest.fixture(scope="module", params=[1280, 390], ids=["bureau", "telefoon"])
def admin_page(request: pytest.FixtureRequest, browser: Any, app_server: tuple[str, Any]) -> Iterator[Any]:  # noqa: F811
    """The administrator (who may open every page) in a window of the given width, refused any host
    but ours; with one signal, so its page exists."""
    base, _ = app_server
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, base, ADMIN_NAME)
    if not page.goto(base + "/signalen/1").ok:
        page.goto(base + "/signalen/nieuw")
        page.get_by_label("Titel").fill("Wachtlijst jeugd-ggz loopt op")
        page.get_by_label("Adressaat").select_option(index=1)
        page.get_by_label("Wachtlijst").check()
        page.get_by_label("Uw naam of functie").fill("Teamleider")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url("**/signalen/*")
    page.width = request.param
    yield page
    context.close()


@pytest.mark.parametrize(("name", "address"), [(name, address) for name, _role, address in PAGES], ids=lambda v: v)
def test_every_page_reads_right_and_fits(
    admin_page: Any, app_server: tuple[str, Any], advice_id: str, tmp_path: Path, name: str, address: str  # noqa: F811
) -> None:
    base, _ = app_server
    admin_page.goto(base + address.replace("{advies}", advice_id))
    if address == "/docs":
        admin_page.wait_for_selector(".swagger-ui .info .title")
    admin_page.screenshot(path=str(tmp_path / f"{name}-{admin_page.width}.png"), full_page=True)
    assert findings(admin_page) == []


def test_a_phone_gets_the_whole_menu(admin_page: Any, app_server: tuple[str, Any], tmp_path: Path) -> None:  # noqa: F811
    """On a phone the menu wrapped off the dark header ("Patronen", "Signalen" white on white)."""
    base, _ = app_server
    admin_page.goto(base + "/")
    header = admin_page.locator("header.top").bounding_box()
    for link in admin_page.locator(".top-nav a").all():
        box = link.bounding_box()
        assert box["x"] >= header["x"] and box["x"] + box["width"] <= header["x"] + header["width"] + 0.5
        assert box["height"] < 30, f"{link.inner_text()!r} breaks over two lines"
    admin_page.locator("header.top").screenshot(path=str(tmp_path / f"menu-{admin_page.width}.png"))


def test_filter_labels_stay_beside_their_controls(admin_page: Any, app_server: tuple[str, Any], tmp_path: Path) -> None:  # noqa: F811
    """"Team" ended one line of the /patronen filters and its list began the next."""
    base, _ = app_server
    for address in ("/patronen", "/dossier", "/zoeken?q=wlz", "/rapport", "/audit"):
        admin_page.goto(base + address)
        apart = admin_page.evaluate(
            """() => [...document.querySelectorAll('label')].filter((label) => {
                const control = label.control;
                if (!control || ['checkbox', 'radio', 'hidden'].includes(control.type)) return false;
                if (!label.closest('.row, .filters') || label.offsetParent === null) return false;
                const a = label.getBoundingClientRect(), b = control.getBoundingClientRect();
                return Math.abs((a.top + a.bottom) / 2 - (b.top + b.bottom) / 2) > a.height;
            }).map((label) => label.textContent.trim().slice(0, 30))"""
        )
        assert apart == [], address
    admin_page.goto(base + "/patronen")
    admin_page.locator("form.pattern-filters").screenshot(path=str(tmp_path / f"filters-{admin_page.width}.png"))
