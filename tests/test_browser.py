"""Browser test: a real server on 127.0.0.1 and headless Debian Chromium driven by Playwright.

Searches the sample corpus, narrows by a blocker facet and opens a result, as a professional
would. Every page logs in first, through the real login page, as the role the work belongs to; the
local administrator's one-time link from the server's own output works once. Never downloads a
browser: it uses ``/usr/bin/chromium``.
"""

from __future__ import annotations

import json
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
import yaml

from tests.conftest import PASSWORD, SAMPLE_CORPUS, require

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
def server_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


# One user per role (name, team); created with the real CLI before the server starts.
USERS = {
    "professional": ("p.devries", "Buurtteam Noordoost"),
    "manager": ("m.jansen", None),
    "expertteam": ("e.bakker", "Expertteam passende hulp Utrecht"),
    "admin": ("functioneel.beheer", None),
}
TOKENS: dict[str, str] = {}


def add_users(env: dict[str, str]) -> None:
    for role, (name, team) in USERS.items():
        command = [
            sys.executable,
            "-m",
            "leerlus",
            "gebruikers",
            "toevoegen",
            name,
            "--rol",
            role,
            "--wachtwoord-stdin",
        ]
        command += ["--team", team] if team else []
        done = subprocess.run(command, env=env, input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    token = subprocess.run(
        [sys.executable, "-m", "leerlus", "gebruikers", "token", USERS["admin"][0], "--label", "browsertests"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert token.returncode == 0 and token.stdout.startswith("llt_"), token.stderr
    TOKENS["admin"] = token.stdout.strip()


def as_admin(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> urllib.request.Request:
    """A request a script sends, with the administrator's API token."""
    return urllib.request.Request(
        url, data=data, headers={**(headers or {}), "Authorization": f"Bearer {TOKENS['admin']}"}
    )


def log_in(page: object, server: str, name: str) -> None:
    """Log in through the real login page, as a person does."""
    page.goto(server + "/inloggen")  # type: ignore[attr-defined]
    page.get_by_label("Gebruikersnaam").fill(name)  # type: ignore[attr-defined]
    page.get_by_label("Wachtwoord").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Inloggen").click()  # type: ignore[attr-defined]
    page.wait_for_url(server + "/")  # type: ignore[attr-defined]


def page_as(browser: object, server: str, role: str) -> object:
    """A new browser page (its own cookies) logged in as the user of ``role``."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(20_000)
    log_in(page, server, USERS[role][0])
    return page


@pytest.fixture(scope="module")
def server(server_root: Path) -> Iterator[str]:
    root = server_root
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
        deadline = time.monotonic() + 180  # the first load of the gate builds deduce's cache
        for _ in range(1800):
            if proc.poll() is not None:
                pytest.fail(f"server stopped: {(root / 'server.log').read_text()}")
            try:
                status = json.loads(urllib.request.urlopen(url + "/api/status", timeout=1).read())
                if status["opwarmen"] == "klaar":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("server was not ready within 180 s")
            time.sleep(0.1)
        add_users(env)  # after the start: a first start without users makes the local administrator
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
    page = page_as(browser, server, "professional")
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
    page = page_as(browser, server, "professional")
    page.goto(server + "/casus/2020-02-thuiszitter-autisme-swv")
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")  # the skip link comes first on every page
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    page.goto(server + "/")
    assert page.evaluate("document.activeElement.id") == "q"  # the home page starts in the search box
    page.keyboard.type("wachtlijst")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zoeken?q=wachtlijst*")
    page.wait_for_load_state("load")
    assert page.locator(".hit").count() > 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"


SECRET_NAME = "Xandra Oosterbroek"
SECRET_BSN = "111222333"


def test_refused_case_leaks_nowhere(server: str, server_root: Path) -> None:
    """A refused case reaches no file, no database, no index and no log, by API or by form."""
    import urllib.error
    import urllib.parse

    body = {
        "titel": f"Gesprek met {SECRET_NAME}",
        "soort": "casusbespreking",
        "datum": "2025-05",
        "tekst": f"{SECRET_NAME} (BSN {SECRET_BSN}) belde het wijkteam.",
    }
    request = as_admin(server + "/api/cases", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 422
    form = urllib.parse.urlencode(body).encode()
    with pytest.raises(urllib.error.HTTPError) as refused_form:
        urllib.request.urlopen(as_admin(server + "/nieuw", form), timeout=30)
    assert refused_form.value.code == 422
    for path in server_root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET_NAME.encode() not in data, path
            assert SECRET_BSN.encode() not in data, path


def test_refuse_redact_accept_in_the_browser(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = page_as(browser, server, "professional")
    page.goto(server + "/nieuw")
    page.get_by_label("Titel").fill("Moeder wacht op opvoedondersteuning")
    page.get_by_label("Soort").select_option("casusbespreking")
    page.get_by_label("Datum").fill("2025-06")
    page.get_by_label("Wachtlijst aanbod.wachtlijst").check()
    typed = "Moeder (Marloes Kievit) staat sinds maart op de wachtlijst voor opvoedondersteuning."
    page.get_by_label("Tekst van de casus (Markdown)").fill(typed)
    page.get_by_role("button", name="Controleren en opslaan").click()
    page.wait_for_selector("#refused-title")
    assert page.locator(".refused mark").first.inner_text() == "Marloes Kievit"
    assert page.get_by_label("Tekst van de casus (Markdown)").input_value() == typed  # nothing lost
    assert page.get_by_label("Wachtlijst aanbod.wachtlijst").is_checked()
    page.get_by_role("button", name="Geanonimiseerde versie opslaan").click()
    page.wait_for_url("**/casus/2025-06-moeder-wacht-op-opvoedondersteuning?opgeslagen=1")
    assert "opgeslagen" in page.locator(".notice.saved").inner_text()
    assert "Moeder ([PERSOON-1]) staat sinds maart op de wachtlijst" in page.locator(".prose").inner_text()


def test_gate_redaction_keeps_the_text_and_a_warning_is_marked_in_one_click(  # type: ignore[no-untyped-def]
    server: str, browser, server_root: Path
) -> None:
    """The example of issue #13 typed into /nieuw: the redacted version keeps the heading, the word
    "Thuiszitter", one number per person and the id; then a warning is marked "geen persoonsgegeven"."""
    page = page_as(browser, server, "professional")
    page.goto(server + "/nieuw")
    page.get_by_label("Titel").fill("Thuiszitter Jeroen de Vries (15)")
    page.get_by_label("Soort").select_option("casusbespreking")
    page.get_by_label("Datum").fill("2025-08")
    typed = (
        "Moeder Sandra de Vries woont aan de Lindenlaan 12 in Utrecht. Jeroen zit sinds een jaar thuis.\n\n"
        "## Afspraken\n\nJeroen start na de kerstvakantie op de nieuwe school. Sandra belt de school elke week."
    )
    page.get_by_label("Tekst van de casus (Markdown)").fill(typed)
    page.get_by_role("button", name="Controleren en opslaan").click()
    page.wait_for_selector("#refused-title")
    page.get_by_role("button", name="Geanonimiseerde versie opslaan").click()
    page.wait_for_url("**/casus/2025-08-thuiszitter-15?opgeslagen=1")
    assert "Thuiszitter [PERSOON-1] (15)" in page.locator("h1").inner_text()
    assert page.locator(".prose h2").first.inner_text() == "Afspraken"
    prose = page.locator(".prose").inner_text()
    assert "[PERSOON-1] start na de kerstvakantie" in prose and "[PERSOON-3]" not in prose
    stored = (server_root / "content" / "2025-08-thuiszitter-15.md").read_text(encoding="utf-8")
    assert "\r" not in stored and stored.endswith("[PERSOON-2] belt de school elke week.\n")

    page.goto(server + "/nieuw")
    page.get_by_label("Titel").fill("Terug naar school na de zomer")
    page.get_by_label("Soort").select_option("casusbespreking")
    page.get_by_label("Datum").fill("2025-08")
    page.get_by_label("Tekst van de casus (Markdown)").fill("Roos en de wijkcoach spraken af dat de jongen weer gaat.")
    page.get_by_role("button", name="Controleren en opslaan").click()
    page.wait_for_selector("#check-title")
    assert page.locator(".to-check mark").first.inner_text() == "Roos"
    page.get_by_role("button", name="Geen persoonsgegeven").click()
    page.wait_for_url("**/casus/2025-08-terug-naar-school-na-de-zomer?opgeslagen=1")
    stored = (server_root / "content" / "2025-08-terug-naar-school-na-de-zomer.md").read_text(encoding="utf-8")
    assert "geen_persoonsgegevens:\n- Roos\n" in stored


def test_manager_closes_the_loop(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Patronen -> matrix cell -> its cases -> a lesson becomes a signal to the zorgkantoor ->
    opgelost -> the blocker returns in a new case -> flagged; the period report prints."""
    from datetime import UTC, datetime

    this_month = datetime.now(UTC).strftime("%Y-%m")
    page = page_as(browser, server, "manager")
    page.goto(server + "/patronen")
    headline = page.locator(".headline").inner_text()
    assert "blokkeert" in headline or "even vaak" in headline  # one leader, or a tie named as one
    cell = page.locator('section[aria-labelledby="h-matrix"] svg a[href*="Wet+langdurige+zorg"]').first
    shown = int(cell.locator("text").first.text_content() or "0")
    assert shown > 0
    cell.click()
    page.wait_for_url("**/patronen/casussen?grens=*")
    assert int(page.locator(".drill-count").inner_text()) == shown == page.locator("ol.drill li").count()

    page.locator("ol.drill li a").first.click()
    page.wait_for_url("**/casus/**")
    if page.locator("a.to-signal").count() == 0:  # the newest case may have no system lesson
        page.go_back()
        page.locator("ol.drill li a").nth(1).click()
        page.wait_for_url("**/casus/**")
    page.locator("a.to-signal").first.click()
    page.wait_for_url("**/signalen/nieuw?casus=*")
    assert page.get_by_label("Grens Jeugdwet – Wlz").is_checked()
    page.get_by_label("Adressaat").select_option("zorgkantoor")
    page.get_by_label("Uw naam of functie").fill("Manager jeugd")
    page.get_by_role("button", name="Signaal opslaan").click()
    page.wait_for_url("**/signalen/*?nieuw=1")
    signal_url = page.url.split("?")[0]
    assert page.locator("#status").inner_text() == "Nieuw"
    for step in ("Geagendeerd", "In behandeling", "Opgelost"):
        page.get_by_label(step, exact=True).check()
        page.get_by_role("button", name="Status wijzigen").click()
        page.wait_for_function(f"document.getElementById('status').textContent === '{step}'")
    assert page.locator("ol.history li").count() == 4
    assert "aangemaakt door Manager jeugd" in page.locator("ol.history").inner_text()  # what was typed
    assert page.get_by_label("Uw naam of functie").input_value() == "Manager"  # else the logged-in role

    writer = page_as(browser, server, "professional")  # a manager reads; a professional writes the case
    writer.goto(server + "/nieuw")
    writer.get_by_label("Titel").fill("Weer geen logeeropvang omdat Wlz en Jeugdwet naar elkaar wijzen")
    writer.get_by_label("Soort").select_option("casusbespreking")
    writer.get_by_label("Datum").fill(this_month)
    writer.get_by_label("Grens Jeugdwet – Wlz grens.jeugdwet-wlz").check()
    writer.get_by_label("Tekst van de casus (Markdown)").fill(
        "Het gezin vraagt opnieuw om logeeropvang; het team bespreekt het."
    )
    writer.get_by_role("button", name="Controleren en opslaan").click()
    writer.wait_for_url("**/casus/**?opgeslagen=1")
    new_case = writer.url.split("/casus/")[1].split("?")[0]

    page.goto(signal_url)
    assert page.locator("h1 ~ p .flag").inner_text() == "opnieuw gezien"
    assert page.locator(f'section a[href="/casus/{new_case}"]').count() >= 1
    page.goto(server + "/signalen")
    assert new_case in page.locator('[aria-labelledby="terug-titel"]').inner_text()

    year = this_month[:4]
    page.goto(f"{server}/rapport?van={year}-01&tot={year}-12")
    assert "Verantwoordingsrapportage" in page.locator("h1").inner_text()
    signal_path = signal_url.removeprefix(server)
    assert page.locator(f'a[href="{signal_path}"]').count() >= 3  # opened, resolved, seen again
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    (tmp_path / "rapport.pdf").write_bytes(pdf)


def test_confirm_a_suggestion_in_the_browser(server: str, server_root: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """Issue 12: a suggestion confirmed on Te beoordelen lands in the Markdown file, survives a
    reindex, and counts from then on."""

    def count(code: str) -> int:
        with urllib.request.urlopen(as_admin(f"{server}/api/patterns?per=jaar"), timeout=30) as response:
            rows = json.loads(response.read())["tabellen"]["tijdlijn"]["rijen"]
        return sum(sum(row["waarden"]) for row in rows if row["code"] == code)

    page = page_as(browser, server, "admin")
    page.goto(server + "/")
    waiting = int(page.locator(".review-count strong").inner_text())
    assert waiting > 0
    page.locator(".review-count a").click()
    page.wait_for_url("**/beoordelen")
    item = page.locator("ol.review-queue > li").first
    case_id, code = item.get_attribute("data-casus"), item.get_attribute("data-code")
    assert case_id and code
    before = count(code)
    item.get_by_label("Uw rol of team").fill("Teamleider Noord")
    item.get_by_role("button", name="Bevestigen").click()
    page.wait_for_url("**/beoordelen?klaar=*")
    assert "Opgeslagen" in page.locator(".notice.saved").inner_text()
    assert page.locator(f'ol.review-queue > li[data-casus="{case_id}"][data-code="{code}"]').count() == 0

    file = next(
        p for p in (server_root / "content").glob("*.md") if p.stem == case_id or f"id: {case_id}" in p.read_text()
    )
    front = file.read_text(encoding="utf-8").split("---", 2)[1]
    assert code in (yaml.safe_load(front).get("blokkades") or [])
    assert count(code) == before + 1

    env = {
        **os.environ,
        "LEERLUS_DATA_DIR": str(server_root / "data"),
        "LEERLUS_CONTENT_DIR": str(server_root / "content"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "leerlus", "reindex"], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert count(code) == before + 1
    page.goto(f"{server}/casus/{case_id}")
    assert code in page.locator("#blokkades-title + p + ul").inner_text()
    assert "Teamleider Noord" in page.locator('[aria-labelledby="reviews-title"]').inner_text()


MENUS = {
    "professional": ["Casussen", "Tekst analyseren", "Precedenten", "Nieuwe casus", "Bewaard", "Te beoordelen"],
    "manager": ["Casussen", "Tekst analyseren", "Precedenten", "Bewaard", "Patronen", "Signalen"],
    "expertteam": ["Casussen", "Tekst analyseren", "Precedenten", "Nieuwe casus", "Bewaard", "Adviesdossier",
                   "Naleving"],
    "admin": ["Casussen", "Tekst analyseren", "Precedenten", "Nieuwe casus", "Bewaard", "Patronen", "Signalen",
              "Te beoordelen", "Adviesdossier", "Naleving", "Auditlog"],
}  # fmt: skip
FORBIDDEN = {
    "professional": ["/patronen", "/signalen", "/rapport", "/dossier", "/audit"],
    "manager": ["/nieuw", "/beoordelen", "/dossier", "/naleving", "/audit"],
    "expertteam": ["/patronen", "/signalen", "/beoordelen", "/rapport", "/audit"],
    "admin": [],
}


def test_each_role_logs_in_and_sees_what_it_may(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Issue 16, done when: a professional, a manager, an expertteam member and an admin each log in,
    in Chromium, and see exactly what their role allows; no page breaks the Content-Security-Policy."""
    anonymous = browser.new_page()
    anonymous.goto(server + "/casus/2020-02-thuiszitter-autisme-swv")
    assert "/inloggen?volgende=" in anonymous.url and anonymous.locator("h1").inner_text() == "Inloggen"
    for role, (name, _team) in USERS.items():
        page = browser.new_page()
        page.set_default_timeout(20_000)
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)  # noqa: B023
        page.goto(server + "/patronen")  # not logged in: to the login page, and back after logging in
        page.get_by_label("Gebruikersnaam").fill(name)
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        landed = "/patronen" if "/patronen" not in FORBIDDEN[role] else None
        if landed:
            page.wait_for_url(server + landed)
        else:
            page.wait_for_load_state("load")
            assert page.locator("h1").inner_text() == "Geen toegang"
        page.goto(server + "/")
        assert page.locator(".top-nav a").all_inner_texts() == MENUS[role], role
        assert name in page.locator(".who-am-i").inner_text()
        for path in FORBIDDEN[role]:
            page.goto(server + path)
            assert page.locator("h1").inner_text() == "Geen toegang", (role, path)
        page.goto(server + "/casus/2025-09-thuiszitter-zorg-in-de-klas-wlz")  # a binding advice
        may_record = role in ("expertteam", "admin")
        assert (page.locator(".obligation-form").count() > 0) == may_record, role
        assert (page.locator("a.to-signal").count() > 0) == (role in ("manager", "admin")), role
        for path in ("/", "/zoeken?q=wlz", "/casus/2025-09-thuiszitter-zorg-in-de-klas-wlz", "/docs"):
            page.goto(server + path)
            page.wait_for_load_state("load")
        if role in ("manager", "admin"):
            page.goto(server + "/rapport")
        page.goto(server + "/")
        page.get_by_role("button", name="Afmelden").click()
        page.wait_for_url(server + "/inloggen?uit=1")
        page.goto(server + "/")
        assert page.url.startswith(server + "/inloggen")
        assert violations == [], (role, violations)


def test_the_local_administrator_logs_in_once_by_the_printed_link(  # type: ignore[no-untyped-def]
    server: str, server_root: Path, browser
) -> None:
    """`make run` on 127.0.0.1 prints a one-time login link; it works once. The audit log shows
    who read which case, and its chain holds."""
    import re

    output = (server_root / "server.log").read_text(encoding="utf-8")
    [link] = re.findall(r"Inloggen als lokale beheerder \(één keer geldig, 15 minuten\): (\S+)", output)
    assert link.startswith(server + "/inloggen/link/")
    page = browser.new_page()
    page.set_default_timeout(20_000)
    page.goto(link)
    page.wait_for_url(server + "/")
    assert "lokale-beheerder · Beheerder" in page.locator(".who-am-i").inner_text()
    page.goto(server + "/casus/2020-02-thuiszitter-autisme-swv")
    page.goto(server + "/audit?casus=2020-02-thuiszitter-autisme-swv")
    rows = page.locator("table.audit tbody tr")
    assert rows.count() >= 1 and "lokale-beheerder" in rows.first.inner_text()
    assert rows.first.get_attribute("data-actie") == "casus-lezen"
    page.get_by_role("link", name="Controleer de hele keten").click()
    assert "De keten klopt" in page.locator("#keten").inner_text()
    again = browser.new_page()
    again.goto(link)
    assert "al gebruikt of verlopen" in again.locator("#login-fout").inner_text()


def test_expertteam_records_and_corrects_a_binding_advice(server: str, server_root: Path, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    """Issue 15: a binding advice with two bound parties and deadlines, recorded in the form and then
    corrected through "Casus corrigeren"; the file says so and the case page shows the parties."""
    page = page_as(browser, server, "expertteam")
    page.set_default_timeout(20_000)  # type: ignore[attr-defined]
    page.goto(server + "/nieuw")
    page.get_by_label("Titel").fill("Bindend advies: logeeropvang voor een kind met een beperking")
    page.get_by_label("Soort").select_option("bindend-advies")
    page.get_by_label("Datum").fill("2026-02")
    page.get_by_label("Vraag").fill("Wie betaalt de logeeropvang?")
    page.get_by_label("Partij 1", exact=True).select_option("zorgkantoor")
    page.get_by_label("Verplichting van partij 1").fill("Betaalt de logeeropvang uit de Wlz.")
    page.get_by_label("Uiterlijk, partij 1").fill("2026-04")
    page.get_by_label("Partij 2", exact=True).select_option("gemeente")
    page.get_by_label("Verplichting van partij 2").fill("Houdt de regie tot de opvang loopt.")
    page.get_by_label("Uiterlijk, partij 2").fill("2026-06")
    page.get_by_label("Tekst van de casus (Markdown)").fill("## Advies\nHet expertteam adviseert bindend.\n")
    page.get_by_role("button", name="Controleren en opslaan").click()
    page.wait_for_url("**/casus/**?opgeslagen=1")
    obligations = page.locator("table.obligations tbody tr")
    assert obligations.count() == 2
    assert "Zorgkantoor" in obligations.first.inner_text() or "zorgkantoor" in obligations.first.inner_text()

    page.get_by_role("link", name="Casus corrigeren").click()
    page.wait_for_url("**/bewerken")
    assert page.get_by_label("Verplichting van partij 2").input_value() == "Houdt de regie tot de opvang loopt."
    page.get_by_label("Uiterlijk, partij 2").fill("2026-09")
    page.get_by_role("button", name="Controleren en correctie opslaan").click()
    page.wait_for_url("**/casus/**?opgeslagen=1")
    page.screenshot(path=str(tmp_path / "bindend-advies.png"), full_page=True)
    case_id = page.url.split("/casus/")[1].split("?")[0]
    front = yaml.safe_load((server_root / "content" / f"{case_id}.md").read_text(encoding="utf-8").split("---", 2)[1])
    assert [(p["partij"], p["uiterlijk"]) for p in front["partijen"]] == [("zorgkantoor", "2026-04"), ("gemeente", "2026-09")]
