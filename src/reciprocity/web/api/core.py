"""Read endpoints: health, dyad, partners, top, explain, sources, diff, channels, countries, me."""

from __future__ import annotations

import gzip
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, WithJsonSchema

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity import errors as errors_mod
from reciprocity.api import Reciprocity
from reciprocity.errors import UnknownCountryError
from reciprocity.jsonout import dumps_bytes, records
from reciprocity.queries import present
from reciprocity.queries.common import channel_credits
from reciprocity.queries.top import TopAnswer
from reciprocity.store.schema import YEAR_MAX, YEAR_MIN
from reciprocity.web import deps

router = APIRouter()


class Problem(BaseModel):
    location: str
    found: str
    expected: str


class ErrorBody(BaseModel):
    """The one error shape of the API."""

    error: str
    status: int
    message: str
    problems: list[Problem]


def documented(*models: type[BaseModel]) -> WithJsonSchema:
    """The JSON schema of ``models`` (one of them) for a raw body that a reader validates
    itself (every problem at once, with its place); the nested models are the components
    the answers bring."""
    schemas = []
    for model in models:
        schema = model.model_json_schema(by_alias=True,
                                         ref_template="#/components/schemas/{model}")
        schema.pop("$defs", None)
        schemas.append(schema)
    return WithJsonSchema(schemas[0] if len(schemas) == 1 else {"oneOf": schemas})


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown channel, vintage, dataset or record"},
    422: {"model": ErrorBody, "description": "Invalid value (e.g. an unknown country)"},
}

A = Annotated[str, Query(description="Country A: ISO 3166 alpha-3 code or name (USA).")]
B = Annotated[str, Query(description="Country B: code or name (JPN).")]
Channel = Annotated[str | None, Query(description="Channel, e.g. arms (default: all).")]
Since = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX,
                                    description="First year (inclusive).")]
Until = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX,
                                    description="Last year (inclusive).")]
Vintage = Annotated[str | None, Query(description="Vintage id or generation date.")]


def check_countries(**params: str | None) -> None:
    """Resolve country parameters up front so an unknown one is reported at its parameter
    (``query.b``: found 'XXX'), all of them at once."""
    problems: list[Problem] = []
    names: list[str] = []
    for name, value in params.items():
        if value is None:
            continue
        try:
            countries.resolve(value)
        except UnknownCountryError as exc:
            names += exc.names
            problems += [Problem(location=f"query.{name}", found=p.found, expected=p.expected)
                         for p in exc.problems]
    if problems:
        err = UnknownCountryError(names, where="the query")
        err.problems = [errors_mod.Problem(p.location, p.found, p.expected) for p in problems]
        raise err


MAX_ANSWER_BYTES = 32 << 20
"""The largest answer the API computes and sends (the full USA→JPN explain is ~1 MB): a larger
one is refused with 413 and advice to narrow it, and is never cached."""


class AnswerTooLarge(errors_mod.ReciprocityError):
    """An answer larger than :data:`MAX_ANSWER_BYTES`."""

    exit_code = 2
    status = 413


def json_bytes(data: Any) -> bytes:
    """Strict JSON (no NaN or Infinity), at most :data:`MAX_ANSWER_BYTES`."""
    body = dumps_bytes(data)
    if len(body) > MAX_ANSWER_BYTES:
        raise AnswerTooLarge(f"the answer would be {len(body) / 2**20:.0f} MB, more than the "
                             f"{MAX_ANSWER_BYTES >> 20} MB the API sends; narrow it (a year, "
                             "a channel, a limit)")
    return body


class Cached:
    """A JSON answer kept in the cache, with its gzip form made once (not per request)."""

    __slots__ = ("body", "gzipped")

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.gzipped = gzip.compress(body, 6) if len(body) > 4096 else None

    @property
    def nbytes(self) -> int:
        """Bytes held (for the cache's byte bound)."""
        return len(self.body) + len(self.gzipped or b"")


def _json(content: bytes) -> Response:
    return Response(content, media_type="application/json")


def _cached_response(request: Request, item: Cached) -> Response:
    if item.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        return Response(item.gzipped, media_type="application/json",
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return _json(item.body)


async def cached_json(request: Request, key: tuple, compute: Any) -> Response:
    """Answer from the cache, or compute in a worker thread (on a pooled session) and keep it."""
    backend = deps.backend(request)
    hit = backend.cache.get(key)
    if hit is not None:
        return _cached_response(request, hit)

    def run() -> Cached:
        with backend.read() as r:
            return Cached(json_bytes(compute(r)))

    item = await run_in_threadpool(run)
    backend.cache.put(key, item)
    return _cached_response(request, item)


@router.get("/health", summary="Liveness check", response_model=dict[str, str])
async def health() -> dict[str, str]:
    """``{"status": "ok"}`` when the server is up (touches nothing)."""
    return {"status": "ok"}


@router.get("/dyad", summary="Flows A→B and B→A with two-way measures", responses=ERRORS)
async def dyad(request: Request, a: A, b: B, channel: Channel = None,
               mode: Annotated[str | None, Query(description="Mode, e.g. new.")] = None,
               area: Annotated[str | None, Query(description="Technology area.")] = None,
               since: Since = None, until: Until = None,
               window: Annotated[int, Query(ge=1, le=100, description="Rolling window "
                                                                       "(years).")] = 5,
               vintage: Vintage = None) -> Response:
    """The same JSON as ``reciprocity dyad A B --format json`` with the same options."""
    check_countries(a=a, b=b)
    key = ("dyad", a, b, channel, mode, area, since, until, window, vintage)
    return await cached_json(request, key, lambda r: r.dyad(
        a, b, channel=channel, mode=mode, area=area, since=since, until=until, window=window,
        vintage=vintage).to_dict())


@router.get("/partners", summary="A country's partners, ranked", responses=ERRORS)
async def partners(request: Request, a: A, channel: Annotated[str, Query(
                       description="Channel.")] = "arms",
                   since: Since = None, until: Until = None, vintage: Vintage = None,
                   sort: Annotated[str, Query(description="gl_index or volume.")] = "gl_index"
                   ) -> Response:
    """Every partner of A in a channel: flows both ways and two-way measures, ranked."""
    check_countries(a=a)

    def compute(r: Reciprocity) -> dict[str, Any]:
        frame = r.partners(a, channel=channel, since=since, until=until, vintage=vintage,
                           sort=sort)
        return {"a": countries.resolve(a).code, "channel": channel, "since": since,
                "until": until, "sort": sort, "credits": channel_credits(r.store, channel),
                "partners": records(frame)}

    return await cached_json(request, ("partners", a, channel, since, until, vintage, sort),
                             compute)


@router.get("/top", summary="The largest exporters or importers (SIPRI's rankings)",
            responses={200: {"model": TopAnswer, "description": "The ranking"}, **ERRORS})
async def top(request: Request,
              kind: Annotated[str, Query(description="exporters or importers.")] = "exporters",
              channel: Annotated[str, Query(description="A directed channel.")] = "arms",
              since: Since = None, until: Until = None, vintage: Vintage = None,
              limit: Annotated[int, Query(ge=0, description="Rows; 0 for all.")] = 25,
              unit: Annotated[str | None, Query(description="Unit (default: the channel's "
                                                            "first additive unit).")] = None
              ) -> Response:
    """The same JSON as ``reciprocity top KIND --format json`` with the same options."""
    return await cached_json(request, ("top", kind, channel, since, until, vintage, limit, unit),
                             lambda r: r.top(kind, channel=channel, since=since, until=until,
                                             vintage=vintage, limit=limit, unit=unit).answer()
                             .model_dump(mode="json"))


@router.get("/explain", summary="Source records behind a pair's figure", responses=ERRORS)
async def explain(request: Request, a: A, b: B,
                  channel: Annotated[str, Query(description="Channel.")] = "arms",
                  year: Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX,
                                                    description="Year.")] = None,
                  mode: Annotated[str | None, Query(description="Mode.")] = None,
                  vintage: Vintage = None) -> Response:
    """The same JSON as ``reciprocity explain A B --format json``."""
    check_countries(a=a, b=b)

    def compute(r: Reciprocity) -> dict[str, Any]:
        frame = r.explain(a, b, channel=channel, year=year, mode=mode, vintage=vintage)
        return {"a": a, "b": b, "channel": channel, "year": year,
                "credits": channel_credits(r.store, channel),
                "records": records(frame)}

    return await cached_json(request, ("explain", a, b, channel, year, mode, vintage), compute)


@router.get("/sources", summary="Datasets and vintages")
async def sources(request: Request) -> Response:
    """The same JSON as ``reciprocity sources --format json``: one row per vintage."""
    return await cached_json(request, ("sources",), lambda r: records(r.sources()))


@router.get("/diff", summary="Records changed between two vintages", responses=ERRORS)
async def diff(request: Request,
               dataset: Annotated[str, Query(description="Source or dataset.")] = "sipri",
               from_: Annotated[str | None, Query(alias="from", description="Older vintage.")
                                ] = None,
               to: Annotated[str | None, Query(description="Newer vintage.")] = None,
               limit: Annotated[int, Query(ge=0, description="Changes listed (0: all).")
                                ] = 50
               ) -> Response:
    """The same JSON as ``reciprocity diff DATASET --format json``."""
    def compute(r: Reciprocity) -> dict[str, Any]:
        return r.diff_summary(dataset, from_vintage=from_, to_vintage=to,
                              limit=limit).to_dict()

    return await cached_json(request, ("diff", dataset, from_, to, limit), compute)


@router.get("/channels", summary="Channels and their units")
async def channel_list() -> list[dict[str, Any]]:
    """Every channel: whether it has a direction, its units and the sources that feed it."""
    return [{"name": c.name, "description": c.description, "directed": c.directed,
             "units": list(c.units), "sources": list(c.sources)}
            for c in channels_mod.CHANNELS.values()]


def present_countries(r: Reciprocity) -> list[dict[str, str]]:
    """Countries with at least one flow in the store's active vintages, by name."""
    out = [{"code": c, "name": countries.name_of(c)} for c in present.country_codes(r.store)]
    return sorted(out, key=lambda x: x["name"].casefold())


@router.get("/countries", summary="Countries present in the store")
async def country_list(request: Request) -> Response:
    """Code and name of every country with a flow in the store."""
    return await cached_json(request, ("countries",), present_countries)


@router.get("/me", summary="Who is signed in, and the CSRF token for cookie writes")
def me(request: Request) -> dict[str, Any]:
    """The signed-in user (or null) and the token to send as ``X-CSRF-Token``."""
    user = deps.current_user(request)
    return {"user": None if user is None else {"name": user.name, "role": user.role,
                                               "can_write": user.can_write},
            "csrf_token": deps.csrf_token(request)}
