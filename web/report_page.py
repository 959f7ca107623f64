"""The printable accountability report ("verantwoordingsrapportage") as a web page, a Markdown
download and a standalone HTML file for ``leerlus rapport --formaat html`` (presentation stage).

Without ``van``/``tot`` the page shows the twelve months up to the newest case.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from api.deps import KBDep
from kb import periods
from kb.knowledge import KnowledgeBase
from kb.report import Report, build_report
from web.charts import Bar, bar_chart
from web.pattern_routes import drill, matrix_chart
from web.routes import templates

router = APIRouter(include_in_schema=False)


def default_period(kb: KnowledgeBase) -> tuple[str, str]:
    """The twelve months up to and including the month of the newest case (without cases: up to
    this month)."""
    from datetime import date

    newest = kb.cases(limit=1).data
    last = newest[0].datum[:7] if newest else date.today().strftime("%Y-%m")
    return periods.months_back(last, 12), last


def report_charts(report: Report) -> dict[str, Markup]:
    from kb.patterns import Selection

    bars = [
        Bar(label, count, drill(Selection(van=report.van, tot=report.tot, blokkades=(code,))))
        for code, label, count in report.top_blokkades
    ]
    return {"blokkades": bar_chart(bars, title="Vaakste blokkades"), "matrix": matrix_chart(report.matrix)}


STYLESHEET = '<link rel="stylesheet" href="/static/style.css">'


def standalone_html(report: Report) -> str:
    """The report page as one HTML file with the site's style sheet inside it, so it prints the same
    from disk (links stay relative to a Leerlus server). A file opened from disk has no
    Content-Security-Policy of ours; served pages keep their styles in ``/static/style.css``."""
    from pathlib import Path

    template = templates.get_template("report.html")
    page = template.render(report=report, charts=report_charts(report), json_url=None, md_url=None, request=None)
    css = (Path(__file__).parent / "static" / "style.css").read_text(encoding="utf-8")
    return page.replace(STYLESHEET, f"<style>\n{css}</style>", 1)


def _period(request: Request, kb: KnowledgeBase) -> tuple[str, str]:
    default = default_period(kb)
    return request.query_params.get("van") or default[0], request.query_params.get("tot") or default[1]


@router.get("/rapport", response_class=HTMLResponse)
def report_page(request: Request, kb: KBDep) -> Response:
    van, tot = _period(request, kb)
    report = build_report(kb, van, tot)
    query = urlencode({"van": report.van, "tot": report.tot})
    return templates.TemplateResponse(
        request,
        "report.html",
        {
            "report": report,
            "charts": report_charts(report),
            "json_url": f"/api/report?{query}",
            "md_url": f"/rapport.md?{query}",
        },
    )


@router.get("/rapport.md")
def report_markdown(request: Request, kb: KBDep) -> Response:
    van, tot = _period(request, kb)
    report = build_report(kb, van, tot)
    headers = {"Content-Disposition": f'attachment; filename="verantwoording-{report.van}-{report.tot}.md"'}
    return Response(report.to_markdown(), media_type="text/markdown; charset=utf-8", headers=headers)
