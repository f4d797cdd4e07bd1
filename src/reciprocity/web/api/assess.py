"""Assessment endpoints: the composite index, capabilities, opportunities, dependence and
alerts. Each answers exactly the JSON of the CLI command with ``--format json`` and the same
options (``reciprocity index``, ``assess capabilities``, ``assess opportunities``, ``assess
dependence``, ``alerts``). Settings, needs, weights and alert files are the shipped ones: a
web request cannot name a file on the server; ``weights`` takes ``precision`` or
``declared``.

The answers are cached JSON bytes; their models (:mod:`reciprocity.assess.answers`) are
declared as each endpoint's 200 response, so /openapi.json documents them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from reciprocity.api import Reciprocity
from reciprocity.assess import answers
from reciprocity.errors import InputError
from reciprocity.web.api.core import ERRORS, A, B, Since, Until, cached_json, check_countries

router = APIRouter()

Country = Annotated[str, Query(description="Country: ISO 3166 alpha-3 code or name (JPN).")]
Area = Annotated[str | None, Query(description="Technology area (see /api/taxonomy or "
                                               "`reciprocity taxonomy`).")]
Weights = Annotated[str | None, Query(description="precision (default: inverse variance of "
                                                  "each channel's bootstrap) or declared (the "
                                                  "shipped weights.yaml).")]
WEIGHTINGS = ("precision", "declared")


def answering(model: Any, description: str) -> dict[int | str, dict[str, Any]]:
    """The responses of an endpoint whose 200 answer is ``model``'s JSON."""
    return {200: {"model": model, "description": description}, **ERRORS}


def check_weights(weights: str | None) -> None:
    if weights is not None and weights not in WEIGHTINGS:
        raise InputError(f"weights={weights!r}: expected one of {', '.join(WEIGHTINGS)} (a "
                         "weights file is for the CLI: reciprocity index A B --weights FILE)")


def index_json(r: Reciprocity, a: str, b: str, *, weights: str | None = None,
               since: int | None = None, until: int | None = None,
               replicates: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """``reciprocity index A B --format json``."""
    return r.composite_index(a, b, weights=weights, since=since, until=until,
                             replicates=replicates, seed=seed).answer().model_dump(
                                 mode="json")


@router.get("/index", summary="Composite reciprocity index of a pair",
            responses=answering(answers.IndexAnswer, "The composite index of the pair"))
async def index(request: Request, a: A, b: B, weights: Weights = None, since: Since = None,
                until: Until = None,
                replicates: Annotated[int | None, Query(ge=50, le=20000, description=(
                    "Bootstrap replicates and null draws per channel (default 2000)."))] = None,
                seed: Annotated[int | None, Query(description="Random seed of the bootstrap.")
                                ] = None) -> Response:
    """The same JSON as ``reciprocity index A B --format json``: the composite with its
    interval, the null model's expectation and verdict, and every channel with its weight."""
    check_countries(a=a, b=b)
    check_weights(weights)
    return await cached_json(request, ("index", a, b, weights, since, until, replicates, seed),
                             lambda r: index_json(r, a, b, weights=weights, since=since,
                                                  until=until, replicates=replicates,
                                                  seed=seed))


@router.get("/capabilities", summary="A country's capability catalogue",
            responses=answering(answers.CapabilitiesAnswer, "The capability catalogue"))
async def capabilities(request: Request, country: Country, area: Area = None) -> Response:
    """The same JSON as ``reciprocity assess capabilities COUNTRY --format json``."""
    check_countries(country=country)
    return await cached_json(request, ("capabilities", country, area),
                             lambda r: r.capabilities(country, area=area).answer()
                             .model_dump(mode="json"))


@router.get("/opportunities", summary="A needs, B provides",
            responses=answering(list[answers.Opportunity], "The opportunities, ranked"))
async def opportunities(request: Request, a: A, b: B,
                        show_all: Annotated[bool, Query(
                            alias="all", description="Also list areas that do not qualify "
                                                     "(--all).")] = False) -> Response:
    """The same JSON as ``reciprocity assess opportunities A B [--all] --format json``."""
    check_countries(a=a, b=b)
    return await cached_json(request, ("opportunities", a, b, show_all),
                             lambda r: r.opportunities(a, b, include_all=show_all).to_list())


@router.get("/dependence", summary="A country's supplier concentration",
            responses=answering(answers.DependenceAnswer, "The supplier concentration"))
async def dependence(request: Request, country: Country,
                     channel: Annotated[str, Query(description="Directed channel.")] = "arms",
                     area: Area = None, since: Since = None, until: Until = None) -> Response:
    """The same JSON as ``reciprocity assess dependence COUNTRY --format json``."""
    check_countries(country=country)
    return await cached_json(request, ("dependence", country, channel, area, since, until),
                             lambda r: r.dependence(country, channel=channel, area=area,
                                                    since=since, until=until).answer()
                             .model_dump(mode="json"))


@router.get("/alerts", summary="Alert rules and what trips them",
            responses=answering(answers.AlertsAnswer, "Every rule checked"))
async def alerts(request: Request, weights: Weights = None) -> Response:
    """The same JSON as ``reciprocity alerts --format json`` (the shipped rules)."""
    check_weights(weights)
    return await cached_json(request, ("alerts", weights),
                             lambda r: r.alerts(weights=weights).model_dump(mode="json"))
