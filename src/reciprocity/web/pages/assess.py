"""Assessment pages: the composite index (with its channels and weights), capabilities,
opportunities, dependence and alerts. Each shows what its JSON endpoint answers (the CLI's
``--format json``), from the same API calls, with a link to that JSON."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from reciprocity import countries, labels
from reciprocity.api import Reciprocity
from reciprocity.errors import InputError
from reciprocity.report import builder, headline
from reciprocity.web import deps
from reciprocity.web.api.assess import WEIGHTINGS, check_weights
from reciprocity.web.pages.common import render

router = APIRouter()

PAGES = (("/index", "Index"), ("/capabilities", "Capabilities"),
         ("/opportunities", "Opportunities"), ("/dependence", "Dependence"),
         ("/alerts", "Alerts"))
"""The assessment pages, in the order of their tabs."""


def _year(request: Request, name: str) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InputError(f"{name}: not a year: {raw!r}") from None


def _country(request: Request, name: str, default: str) -> str:
    raw = (request.query_params.get(name) or default).strip()
    return countries.resolve(raw).code


def _table(frame: pd.DataFrame, columns: list[str] | None = None, limit: int = 60
           ) -> tuple[list[str], list[dict[str, Any]], str]:
    """Columns, rows (for people) and what every row shares, from a frame."""
    if frame is None or frame.empty:
        return [], [], ""
    cols = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    head = frame.loc[:, cols].head(limit)
    rows = builder.humane(head.astype(object).where(head.notna(), None).to_dict("records"))
    kept, same = builder.distinct_columns(cols, rows)
    return kept, rows, builder.same_text(same)


def _cached(request: Request, key: tuple, compute: Any) -> Any:
    backend = deps.backend(request)

    def run() -> Any:
        with backend.read() as r:
            return compute(r)

    return backend.cache.get_or_compute(("page", *key), run)


def _page(request: Request, **context: Any) -> HTMLResponse:
    """The page; its footer credits exactly the sources of the figures shown."""
    return render(request, "assess.html.j2", {"pages": PAGES, **context,
                                              "credits": context.get("credits_used") or []})


def _field(name: str, label: str, value: Any, options: list[tuple[str, str]] | None = None,
           narrow: bool = False) -> dict[str, Any]:
    return {"name": name, "label": label, "value": "" if value is None else str(value),
            "options": options, "narrow": narrow}


def _country_options(request: Request) -> list[tuple[str, str]]:
    from reciprocity.web.pages.explore import options

    return [(c["code"], f"{c['name']} ({c['code']})") for c in options(request)["countries"]]


@router.get("/index", response_class=HTMLResponse)
def index_page(request: Request) -> HTMLResponse:
    """The composite reciprocity index of a pair: value, interval, null, verdict, and every
    channel with its index, interval and weight (``reciprocity index A B``)."""
    a, b = _country(request, "a", "USA"), _country(request, "b", "JPN")
    since, until = _year(request, "since"), _year(request, "until")
    weights = (request.query_params.get("weights") or "").strip() or None
    check_weights(weights)

    def compute(r: Reciprocity) -> dict[str, Any]:
        comp = r.composite_index(a, b, weights=weights, since=since, until=until)
        data = comp.answer().model_dump(mode="json")
        dyad = r.dyad(a, b, since=since, until=until).to_dict()
        return {"data": data, "frame": comp.frame(), "sentence": headline.sentence(dyad, data)}

    got = _cached(request, ("index", a, b, weights, since, until), compute)
    d = got["data"]
    level = d.get("level") or 0.95
    facts = [("composite index", labels.figure(d["value"], "index")),
             (f"{100 * level:.0f} % interval",
              f"{labels.figure(d.get('ci_low'), 'index')} – "
              f"{labels.figure(d.get('ci_high'), 'index')}"),
             ("expected by chance (null model)", labels.figure(d.get("expected"), "index")),
             ("verdict", headline.VERDICTS.get(d["verdict"], d["verdict"].replace("_", " "))),
             ("window", (d.get("window") or {}).get("name") or "all years"),
             ("weighting", d.get("weighting") or "")]
    cols, rows, same = _table(got["frame"], ["channel", "unit", "weight", "observed_ab",
                                             "observed_ba", "index", "ci_low", "ci_high",
                                             "expected", "z", "verdict", "excluded", "window"])
    weights_rows = [{"channel": c, "weight": ch.get("weight"),
                     "declared_weight": ch.get("declared_weight"),
                     "in_composite": ch.get("in_composite"),
                     "excluded": ch.get("excluded") or ""}
                    for c, ch in d["channels"].items()]
    wcols, wrows = ["channel", "weight", "declared_weight", "in_composite",
                    "excluded"], builder.humane(weights_rows)
    wkept, wsame = builder.distinct_columns(wcols, wrows)
    tables = [("By channel", cols, rows, same),
              (f"Channels and weights ({d.get('weighting')})", wkept, wrows,
               builder.same_text(wsame))]
    query = {"a": a, "b": b, "weights": weights, "since": since, "until": until}
    return _page(request, title=f"Index {a} ⇄ {b}", pair_a=a, pair_b=b,
                 heading=f"{countries.name_of(a)} ⇄ {countries.name_of(b)}: composite "
                         "reciprocity index",
                 fields=[_field("a", "Country A", a, _country_options(request)),
                         _field("b", "Country B", b, _country_options(request)),
                         _field("weights", "Weights", weights or "precision",
                                [(w, w) for w in WEIGHTINGS]),
                         _field("since", "From year", since, narrow=True),
                         _field("until", "To year", until, narrow=True)],
                 sentence=got["sentence"], facts=facts, tables=tables,
                 notes=[],
                 credits_used=d.get("credits") or [],
                 json_href="/api/index?" + _qs(query),
                 cli=f"reciprocity index {a} {b}" + _cli_opts(query, ("a", "b"))
                     + " --format json")


@router.get("/capabilities", response_class=HTMLResponse)
def capabilities_page(request: Request) -> HTMLResponse:
    """A country's capability catalogue (``reciprocity assess capabilities COUNTRY``)."""
    country = _country(request, "country", "JPN")
    result = _cached(request, ("capabilities", country),
                     lambda r: r.capabilities(country))
    data = result.answer().model_dump(mode="json")
    areas = _table(result.areas, ["area", "strength", "best_measure", "share", "rank",
                                  "rising", "leading"])
    measures = _table(result.measures, ["measure", "area", "field", "period", "value", "unit",
                                        "share", "rank", "rta", "previous_rta", "trend"])
    lead = result.leading()
    facts = [("leading areas (RTA ≥ 1)", ", ".join(
        builder.area_names().get(x, x) for x in lead["area"]) if len(lead) else "none")]
    return _page(request, title=f"Capabilities of {country}",
                 heading=f"{data['country_name']}: capabilities by technology area",
                 fields=[_field("country", "Country", country, _country_options(request))],
                 facts=facts,
                 tables=[("By area (strength = RTA / (1 + RTA); 0.5 = as the world)", *areas),
                         ("By measure, latest period", *measures)],
                 notes=result.notes(), credits_used=result.credits,
                 json_href="/api/capabilities?" + _qs({"country": country}),
                 cli=f"reciprocity assess capabilities {country} --format json")


@router.get("/opportunities", response_class=HTMLResponse)
def opportunities_page(request: Request) -> HTMLResponse:
    """Where B is strong or rising and A needs it (``reciprocity assess opportunities``)."""
    a, b = _country(request, "a", "USA"), _country(request, "b", "JPN")
    show_all = (request.query_params.get("all") or "").strip().lower() in ("1", "true", "on")
    result = _cached(request, ("opportunities", a, b, show_all),
                     lambda r: r.opportunities(a, b, include_all=show_all))
    table = _table(result.frame())
    notes = [f"Needs: {result.needs_source}."] if result.needs_source else []
    if not table[1]:
        notes.insert(0, f"No area where {b} is strong or rising and {a} has a declared need "
                        "or a weakness, on the data in this store (tick 'every area' to see "
                        "the evidence).")
    query = {"a": a, "b": b, "all": "true" if show_all else None}
    return _page(request, title=f"Opportunities {a} ← {b}", pair_a=a, pair_b=b,
                 heading=f"Opportunities: what {countries.name_of(a)} needs and "
                         f"{countries.name_of(b)} provides",
                 fields=[_field("a", "Country with the needs (A)", a, _country_options(request)),
                         _field("b", "Country that may provide (B)", b,
                                _country_options(request)),
                         _field("all", "Areas", "true" if show_all else "",
                                [("", "qualifying only"), ("true", "every area")])],
                 facts=[("present flow window", result.window or "none")],
                 tables=[("Areas, ranked", *table)], notes=notes,
                 credits_used=result.credits, json_href="/api/opportunities?" + _qs(query),
                 cli=f"reciprocity assess opportunities {a} {b}"
                     + (" --all" if show_all else "") + " --format json")


@router.get("/dependence", response_class=HTMLResponse)
def dependence_page(request: Request) -> HTMLResponse:
    """A country's supplier concentration (``reciprocity assess dependence COUNTRY``)."""
    country = _country(request, "country", "JPN")
    channel = (request.query_params.get("channel") or "arms").strip()
    since, until = _year(request, "since"), _year(request, "until")
    result = _cached(request, ("dependence", country, channel, since, until),
                     lambda r: r.dependence(country, channel=channel, since=since,
                                            until=until))
    d = result.answer().model_dump(mode="json")
    flags = d.get("flags") or {}
    facts = [("window", d.get("window") or "none"),
             ("supplier concentration (HHI)", labels.figure(d.get("hhi"), "index")),
             ("top supplier", f"{d.get('top_partner_name') or d.get('top_partner') or '—'} "
                              f"({labels.figure(d.get('top_share'), 'proportion')})"),
             ("suppliers", labels.figure(d.get("n_suppliers"), "n_suppliers")),
             ("short-term supply risk", "yes" if flags.get("short_term_supply_risk") else "no"),
             ("long-term access risk", "yes" if flags.get("long_term_access_risk") else "no")]
    query = {"country": country, "channel": channel, "since": since, "until": until}
    return _page(request, title=f"Dependence of {country}",
                 heading=f"Dependence of {d['country_name']} on its suppliers: "
                         f"{headline.channel_label(channel)}",
                 fields=[_field("country", "Country", country, _country_options(request)),
                         _field("channel", "Channel", channel),
                         _field("since", "From year", since, narrow=True),
                         _field("until", "To year", until, narrow=True)],
                 facts=facts, tables=[("By technology area", *_table(
                     result.frame().assign(unit=d.get("unit"))))],
                 notes=["Unknown suppliers stay in the denominator."],
                 credits_used=result.credits, json_href="/api/dependence?" + _qs(query),
                 cli=f"reciprocity assess dependence {country}"
                     + _cli_opts(query, ("country",)) + " --format json")


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request) -> HTMLResponse:
    """The shipped alert rules, evaluated (``reciprocity alerts``)."""
    result = _cached(request, ("alerts",), lambda r: r.alerts())
    tripped = result.tripped
    facts = [("rules", f"{len(result.results)} ({result.source})"),
             ("tripped", str(len(tripped)))]
    notes = [f"{t.rule.id}: {t.rule.description or t.rule.subject}" for t in tripped]
    return _page(request, title="Alerts", heading=f"Alerts: {len(tripped)} of "
                 f"{len(result.results)} rules tripped", fields=[], facts=facts,
                 tables=[("Every rule", *_table(result.frame()))], notes=notes,
                 credits_used=result.credits, json_href="/api/alerts",
                 cli="reciprocity alerts --format json")


def _qs(query: dict[str, Any]) -> str:
    return urlencode({k: v for k, v in query.items() if v not in (None, "")})


def _cli_opts(query: dict[str, Any], positional: tuple[str, ...]) -> str:
    return "".join(f" --{k} {v}" for k, v in query.items()
                   if k not in positional and v not in (None, ""))
