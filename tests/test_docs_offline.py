"""/docs works without internet: Swagger UI's script and style come from this server (the
``fastapi-offline`` package ships them), and every page has our own favicon."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_reference_no_external_host(client: TestClient) -> None:
    html = client.get("/docs").text
    # Swagger UI is started by a script file of our own: the Content-Security-Policy allows no inline code
    assert '<script src="/static/docs.js"></script>' in html and "SwaggerUIBundle" in client.get("/static/docs.js").text
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, html
    assert all(ref.startswith("/") and not ref.startswith("//") for ref in references), references
    assert "http://" not in html and "https://" not in html


def test_docs_assets_are_served(client: TestClient) -> None:
    html = client.get("/docs").text
    for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
        response = client.get(ref)
        assert response.status_code == 200, ref
        assert len(response.content) > 100, ref
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert "javascript" in script.headers["content-type"]
    assert "SwaggerUIBundle" in script.text
    assert client.get("/openapi.json").json()["info"]["title"] == "Leerlus"


def test_pages_link_our_own_favicon(client: TestClient) -> None:
    for page in ("/", "/zoeken?q=wlz", "/patronen", "/casus/bestaat-niet"):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get(page).text
    for path in ("/static/favicon.svg", "/favicon.ico"):
        icon = client.get(path)
        assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.text.lstrip().startswith("<svg")
