"""Datasets, vintages and checksums, and what changed between two vintages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from reciprocity.errors import NotFoundError, ReciprocityError
from reciprocity.web import deps
from reciprocity.web.pages.common import render

router = APIRouter()
PAGE = 200


def _sources(request: Request) -> dict[str, Any]:
    backend = deps.backend(request)

    def load() -> dict[str, Any]:
        with backend.read() as r:
            frame = r.sources()
        if frame.empty:
            return {"datasets": [], "vintages": {}}
        datasets = frame.drop_duplicates("dataset").sort_values("dataset").to_dict("records")
        vintages: dict[str, list[dict[str, Any]]] = {}
        for row in frame.sort_values(["dataset", "generated_at"]).to_dict("records"):
            vintages.setdefault(row["dataset"], []).append(row)
        return {"datasets": datasets, "vintages": vintages}

    return backend.cache.get_or_compute(("sources-page",), load)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> HTMLResponse:
    """Every dataset with its vintages; a form to compare two vintages."""
    return render(request, "sources.html.j2", {"src": _sources(request), "diff": None,
                                               "errors": {}, "form": {}})


@router.get("/sources/diff", response_class=HTMLResponse)
def diff_page(request: Request) -> HTMLResponse:
    """Records added, removed and changed between two vintages of a dataset."""
    q = request.query_params
    form = {"dataset": (q.get("dataset") or "").strip(), "from": (q.get("from") or "").strip(),
            "to": (q.get("to") or "").strip(), "change": (q.get("change") or "").strip()}
    offset = int(q.get("offset") or 0) if (q.get("offset") or "0").isdigit() else 0
    errors: dict[str, str] = {}
    diff: dict[str, Any] | None = None
    status = 200
    if not form["dataset"]:
        errors["dataset"] = "choose a dataset"
    else:
        backend = deps.backend(request)
        key = ("diff-page", form["dataset"], form["from"], form["to"])
        try:
            def compute() -> dict[str, Any]:
                with backend.read() as r:
                    frame = r.diff(form["dataset"], from_vintage=form["from"] or None,
                                   to_vintage=form["to"] or None)
                counts = frame["change"].value_counts().to_dict()
                return {"from": frame.attrs["from"], "to": frame.attrs["to"],
                        "dataset": frame.attrs["dataset"],
                        "summary": {k: int(counts.get(k, 0)) for k in
                                    ("added", "removed", "changed")},
                        "columns": [c for c in frame.columns],
                        "rows": frame.to_dict("records")}
            diff = dict(backend.cache.get_or_compute(key, compute))
        except ReciprocityError as exc:
            errors["form"] = str(exc)
            status = 404 if isinstance(exc, NotFoundError) else 422
    if diff is not None:
        rows = diff["rows"]
        if form["change"]:
            rows = [r for r in rows if r["change"] == form["change"]]
        diff["total"] = len(rows)
        diff["rows"] = rows[offset:offset + PAGE]
        diff["offset"] = offset
        diff["page"] = PAGE
    return render(request, "sources.html.j2", {"src": _sources(request), "diff": diff,
                                               "errors": errors, "form": form},
                  status_code=status)
