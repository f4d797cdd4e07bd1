"""One country's partners, ranked by two-way index and volume, with a small chart each."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity.api import Reciprocity
from reciprocity.errors import InputError, NotFoundError, ReciprocityError
from reciprocity.queries import present
from reciprocity.queries.common import channel_credits
from reciprocity.web import deps
from reciprocity.web.pages.common import render
from reciprocity.web.pages.explore import options

router = APIRouter()
SPARK_W, SPARK_H = 180, 34


def sparkline_svg(years: list[int], out: list[float | None], back: list[float | None], *,
                  lo: int, hi: int, directed: bool = True) -> str:
    """A small inline SVG of flows out (blue) and back (orange) over ``lo``–``hi``; a year
    without data (None) is a gap, and a value with no neighbour a dot."""
    top = max([v for v in (*out, *back) if v is not None] + [0.0]) or 1.0
    span = max(hi - lo, 1)

    def shapes(values: list[float | None], color: str) -> list[str]:
        runs: list[list[str]] = [[]]
        for y, v in zip(years, values, strict=True):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{(y - lo) / span * (SPARK_W - 2) + 1:.1f},"
                            f"{SPARK_H - 1 - v / top * (SPARK_H - 2):.1f}")
        out_ = []
        for run in runs:
            if len(run) == 1:
                x, y_ = run[0].split(",")
                out_.append(f'<circle cx="{x}" cy="{y_}" r="1.8" fill="{color}"/>')
            elif run:
                out_.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" '
                            f'points="{" ".join(run)}"/>')
        return out_

    lines = shapes(out, "#1f5fa8" if directed else "#6a4c93")
    if directed:
        lines += shapes(back, "#d9822b")
    return (f'<svg class="spark" width="{SPARK_W}" height="{SPARK_H}" viewBox="0 0 {SPARK_W} '
            f'{SPARK_H}" role="img" aria-hidden="true"><line x1="0" x2="{SPARK_W}" '
            f'y1="{SPARK_H - 0.5}" y2="{SPARK_H - 0.5}" stroke="#d8dbe0"/>{"".join(lines)}'
            "</svg>")


def partners_view(r: Reciprocity, a: str, channel: str, since: int | None, until: int | None,
                  sort: str) -> dict[str, Any]:
    code = countries.resolve(a).code
    frame = r.partners(code, channel=channel, since=since, until=until, sort=sort)
    directed = channels_mod.is_directed(channel)
    years = present.partner_years(r.store, code, channel, since, until)
    all_years = [y for series in years.values() for y in series]
    lo = since if since is not None else (min(all_years) if all_years else 0)
    hi = until if until is not None else (max(all_years) if all_years else 0)
    rows = []
    for row in frame.to_dict("records"):
        series = years.get((row["partner"], row["unit"]), {})
        span = list(range(lo, hi + 1))
        # sum units: a year without a record is 0; snapshot and index units: a gap
        gap = (0.0, 0.0) if channels_mod.is_additive(row["unit"]) else (None, None)
        out = [series.get(y, gap)[0] for y in span]
        back = [series.get(y, gap)[1] for y in span]
        if not directed:
            out = [None if o is None else o + b for o, b in zip(out, back, strict=True)]
        row["spark"] = sparkline_svg(span, out, back, lo=lo, hi=hi, directed=directed)
        rows.append(row)
    return {"country": countries.resolve(code), "rows": rows, "directed": directed,
            "lo": lo, "hi": hi, "credits": channel_credits(r.store, channel)}


@router.get("/partners", response_class=HTMLResponse)
def partners_page(request: Request) -> HTMLResponse:
    """The partners of one country in a channel."""
    q = request.query_params
    a = (q.get("a") or "JPN").strip()
    channel = (q.get("channel") or "arms").strip()
    sort = (q.get("sort") or "gl_index").strip()
    errors: dict[str, str] = {}
    years: dict[str, int | None] = {"since": None, "until": None}
    for name in years:
        raw = (q.get(name) or "").strip()
        if raw:
            try:
                years[name] = int(raw)
            except ValueError:
                errors[name] = f"not a year: {raw!r}"
    try:
        a = countries.resolve(a).code
    except InputError:
        errors["a"] = f"unknown country {a!r}"
    view: dict[str, Any] | None = None
    status = 200
    if not errors:
        backend = deps.backend(request)
        key = ("partners-page", a, channel, years["since"], years["until"], sort)
        try:
            def compute() -> dict[str, Any]:
                with backend.read() as r:
                    return partners_view(r, a, channel, years["since"], years["until"], sort)
            view = backend.cache.get_or_compute(key, compute)
        except NotFoundError as exc:
            errors["channel"] = str(exc)
        except ReciprocityError as exc:
            errors["form"] = str(exc)
    if errors:
        status = 404 if set(errors) == {"channel"} else 422
    return render(request, "partners.html.j2", {
        "a": a, "channel": channel, "sort": sort, "since": years["since"],
        "until": years["until"], "errors": errors, "view": view, "opts": options(request),
        "channels": sorted(channels_mod.CHANNELS),
        **({"credits": view["credits"]} if view else {})}, status_code=status)
