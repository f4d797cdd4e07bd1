"""The pair explorer: filters, charts that update in place, records behind a clicked point."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity.api import Reciprocity
from reciprocity.errors import InputError, NotFoundError, ReciprocityError
from reciprocity.queries import present
from reciprocity.queries.dyad import years_text
from reciprocity.report import figures, headline, timeline
from reciprocity.report.builder import area_names, render_html
from reciprocity.store.schema import YEAR_MAX, YEAR_MIN
from reciprocity.store.tables import MODES
from reciprocity.web import deps
from reciprocity.web.api.core import present_countries
from reciprocity.web.pages.common import fragment, render

router = APIRouter()

RECORD_COLUMNS = ("direction", "year", "magnitude", "unit", "mode", "is_estimated",
                  "supplier", "recipient", "designation", "technology", "description",
                  "order_year", "delivery_years", "comments", "transfer_id", "program_id",
                  "vintage_id", "record_id")


@dataclass
class PairParams:
    """The explorer's filters, parsed leniently from a query string (blank = not set)."""

    a: str = "USA"
    b: str = "JPN"
    channel: str = ""
    mode: str = ""
    area: str = ""
    since: int | None = None
    until: int | None = None

    @classmethod
    def parse(cls, request: Request) -> tuple[PairParams, dict[str, str]]:
        q = request.query_params
        errors: dict[str, str] = {}
        p = cls(a=(q.get("a") or "USA").strip(), b=(q.get("b") or "JPN").strip(),
                channel=(q.get("channel") or "").strip(), mode=(q.get("mode") or "").strip(),
                area=(q.get("area") or "").strip())
        for name in ("since", "until"):
            raw = (q.get(name) or "").strip()
            if not raw:
                continue
            try:
                setattr(p, name, int(raw))
            except ValueError:
                errors[name] = f"not a year: {raw!r}"
                continue
            if not YEAR_MIN <= getattr(p, name) <= YEAR_MAX:  # bounded before any work
                errors[name] = f"{raw} is not a year from {YEAR_MIN} to {YEAR_MAX}"
                setattr(p, name, None)
        for name in ("a", "b"):
            try:
                setattr(p, name, countries.resolve(getattr(p, name)).code)
            except InputError:
                errors[name] = f"unknown country {getattr(p, name)!r}"
        if p.a == p.b and "a" not in errors:
            errors["b"] = "choose a second, different country"
        if p.channel and p.channel not in channels_mod.CHANNELS:
            errors["channel"] = f"unknown channel {p.channel!r}"
        if p.mode and p.mode not in MODES:
            errors["mode"] = f"unknown mode {p.mode!r}"
        if p.since is not None and p.until is not None and p.since > p.until:
            errors["until"] = f"{p.until} is before {p.since}"
        return p, errors

    def query(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


def options(request: Request) -> dict[str, Any]:
    """Choices of the filter controls (cached until the next write)."""
    backend = deps.backend(request)

    def load() -> dict[str, Any]:
        with backend.read() as r:
            areas = present.areas(r.store)
            names = area_names()
            return {"countries": present_countries(r),
                    "channels": present.channels(r.store),
                    "modes": list(MODES),
                    "areas": [(a, names.get(a, a)) for a in areas]}

    return backend.cache.get_or_compute(("explorer-options",), load)


def pair_results(r: Reciprocity, p: PairParams) -> dict[str, Any]:
    """Totals, charts and mode breakdown for the explorer (same numbers as ``dyad``)."""
    dyad = r.dyad(p.a, p.b, channel=p.channel or None, mode=p.mode or None,
                  area=p.area or None, since=p.since, until=p.until)
    data = dyad.to_dict()
    events = _events(r, p)
    marks = events["markers"] if events else ()
    views = []
    for i, (key, channel, unit) in enumerate(dyad.channel_keys()):
        directed = channels_mod.is_directed(channel)
        additive = channels_mod.is_additive(unit)
        label = figures.unit_label(unit)
        ch = data["channels"][key]
        human = headline.key_label(channel, unit)
        if headline.single_value(ch):  # one value: a card, not a chart of one dot
            views.append({"key": key, "channel": channel, "unit": unit, "unit_label": label,
                          "label": human, "name": human.split(":")[0],
                          "directed": directed,
                          "total": ch, "aggregation": ch["aggregation"],
                          "latest": ch["latest"], "coverage": years_text(ch["years_with_data"]),
                          "charts": [], "card": headline.card(key, ch)})
            continue
        # a snapshot or index unit with two years of data: a small table, not two dots
        few = [] if additive or len(ch["years_with_data"]) > 2 else [
            row for row in ch["by_year"] if row["flow_ab"] is not None]
        charts = [] if few else [("flows", figures.to_json(timeline.add_markers(
            figures.flows_over_time(dyad, channel, unit, title=f"{human}: by year"), marks)))]
        if directed and additive:
            charts.append(("index", figures.to_json(timeline.add_markers(figures.index_trend(
                dyad, channel, unit, title=f"{human}: two-way index, {dyad.window}-year "
                                           "windows"), marks))))
        modes = dyad.by_mode[(dyad.by_mode["channel"] == channel)
                             & (dyad.by_mode["unit"] == unit)]
        if len(modes) > 1 and additive:  # one mode says nothing; indices have no totals
            charts.append(("modes", figures.to_json(figures.mode_bars(
                dyad, channel, unit, title=f"{human}: by mode"))))
        views.append({"key": key, "channel": channel, "unit": unit, "unit_label": label,
                      "label": human, "name": human.split(":")[0],
                      "directed": directed, "total": ch, "aggregation": ch["aggregation"],
                      "latest": ch["latest"], "coverage": years_text(ch["years_with_data"]),
                      "charts": [(f"chart-{i}-{kind}", kind, js) for kind, js in charts],
                      "card": None, "few_values": few})
    years = sorted({int(y) for y in dyad.by_year["year"]}) if len(dyad.by_year) else []
    return {"a": dyad.pair.a, "b": dyad.pair.b, "views": views, "credits": data["credits"],
            "first_year": years[0] if years else None,
            "last_year": years[-1] if years else None,
            "sentence": headline.sentence(data, _composite(r, p)) if views else None,
            "events": events}


def _events(r: Reciprocity, p: PairParams) -> dict[str, Any] | None:
    """The pair's policy events in the span, numbered as their chart markers (none when the
    store has no timeline)."""
    try:
        return timeline.section(r.events(p.a, p.b, since=p.since, until=p.until))
    except ReciprocityError:
        return None


def _composite(r: Reciprocity, p: PairParams) -> dict[str, Any] | None:
    """The composite index of the pair over the span, as the briefing's headline uses it;
    none when the explorer narrows to one channel, mode or area (the composite is about
    every channel) or when the assessment cannot be computed."""
    if p.channel or p.mode or p.area:
        return None
    try:
        comp = r.composite_index(p.a, p.b, since=p.since, until=p.until)
        return comp.answer().model_dump(mode="json")
    except (ReciprocityError, ValueError):
        return None


def _results(request: Request, p: PairParams, errors: dict[str, str]) -> tuple[dict, int]:
    """The results context, or the error to show in their place, and the HTTP status."""
    if errors:
        status = 404 if "channel" in errors and len(errors) == 1 else 422
        return {"errors": errors}, status
    backend = deps.backend(request)
    key = ("pair-results", *p.query().items())
    try:
        def compute() -> dict[str, Any]:
            with backend.read() as r:
                return pair_results(r, p)
        return backend.cache.get_or_compute(key, compute), 200
    except NotFoundError as exc:
        return {"errors": {"channel": str(exc)}}, 404
    except ReciprocityError as exc:
        return {"errors": {"form": str(exc)}}, 422


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/pair", status_code=307)


@router.get("/pair", response_class=HTMLResponse)
def pair_page(request: Request) -> HTMLResponse:
    """The explorer: a form of filters and the results below it."""
    p, errors = PairParams.parse(request)
    results, status = _results(request, p, errors)
    own = {"credits": []} if results.get("credits") else {}  # the results carry their own
    return render(request, "pair.html.j2", {"p": p, "opts": options(request),
                                            "results": results,
                                            "raw": dict(request.query_params),
                                            "errors": results.get("errors", {}), **own},
                  status_code=status)


@router.get("/pair/results", response_class=HTMLResponse)
def pair_results_fragment(request: Request) -> HTMLResponse:
    """Only the results (charts and tables), for in-place updates."""
    p, errors = PairParams.parse(request)
    results, status = _results(request, p, errors)
    response = fragment(request, "_pair_results.html.j2", {"p": p, "results": results,
                                                           "errors": results.get("errors", {})})
    response.status_code = status
    return response


@router.get("/pair/records", response_class=HTMLResponse)
def pair_records(request: Request) -> HTMLResponse:
    """The source records behind one channel and year of the pair (``explain``)."""
    p, errors = PairParams.parse(request)
    raw_year = (request.query_params.get("year") or "").strip()
    year = int(raw_year) if raw_year.isdigit() else None
    channel = p.channel or "arms"
    ctx: dict[str, Any] = {"p": p, "channel": channel, "year": year, "rows": [],
                           "columns": [], "errors": errors}
    status = 422 if errors else 200
    if raw_year and year is None:
        ctx["errors"] = {**errors, "year": f"not a year: {raw_year!r}"}
        status = 422
    if not ctx["errors"]:
        try:
            with deps.backend(request).read() as r:
                frame = r.explain(p.a, p.b, channel=channel, year=year, mode=p.mode or None)
            if p.area and "area" in frame.columns:
                frame = frame[frame["area"] == p.area]
            if year is None and not (p.since is None and p.until is None):
                lo = p.since if p.since is not None else -10**6
                hi = p.until if p.until is not None else 10**6
                frame = frame[(frame["year"] >= lo) & (frame["year"] <= hi)]
            ctx["columns"] = [c for c in RECORD_COLUMNS if c in frame.columns]
            ctx["rows"] = frame.loc[:, ctx["columns"]].head(500).to_dict("records")
            ctx["total_rows"] = len(frame)
            from reciprocity.queries.explain import totals, totals_text

            ctx["sums"] = [totals_text(t, p.a, p.b) for t in totals(frame)]
        except ReciprocityError as exc:
            ctx["errors"] = {"form": str(exc)}
            status = 404 if isinstance(exc, NotFoundError) else 422
    response = fragment(request, "_records.html.j2", ctx)
    response.status_code = status
    return response


@router.get("/report")
def briefing(request: Request) -> Response:
    """The pair briefing (the same self-contained HTML as ``reciprocity report``)."""
    p, errors = PairParams.parse(request)
    if errors:
        raise InputError("cannot make a briefing: " + "; ".join(
            f"{k}: {v}" for k, v in errors.items()))
    with deps.backend(request).read() as r:
        html = render_html(r, p.a, p.b, since=p.since, until=p.until)
    name = f"briefing-{p.a}-{p.b}.html"
    return HTMLResponse(html, headers={"Content-Disposition": f'inline; filename="{name}"'})
