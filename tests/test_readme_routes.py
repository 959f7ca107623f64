"""Every route a user can reach is in the README, also those of included routers.

FastAPI wraps an included router in one route object, so a loop over ``app.routes`` alone sees
none of the pages or API routes; this test walks into each included router.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def route_paths(routes: Iterable[Any]) -> Iterator[str]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from route_paths(inner.routes)
        elif getattr(route, "path", ""):
            yield route.path


def test_readme_names_every_route_of_every_router(tmp_path: Path) -> None:
    from api.app import create_app
    from kb.settings import Settings

    app = create_app(Settings(data_dir=tmp_path / "data"))  # its own: another checkout may hold a newer schema
    paths = set(route_paths(app.routes))
    assert {"/zoeken", "/api/search", "/signalen/{signaalnummer}", "/docs"} <= paths
    missing = [
        path
        for path in sorted(paths)
        if not path.startswith("/static")
        and path not in ("/docs/oauth2-redirect", "/redoc")
        and not re.search(rf"`((GET|POST|DELETE) )?{re.escape(path.replace('{case_id}', '{id}'))}[`?]", README)
    ]
    assert missing == []
