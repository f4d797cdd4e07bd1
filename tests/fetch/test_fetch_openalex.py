"""``reciprocity fetch openalex``: OpenAlex list pages (composed to the documented response)
replayed offline through the one HTTP client: cursor paging, retries, references, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from ev_helpers import openalex_lines
from reciprocity.errors import FetchError, InputError
from reciprocity.fetch import fetch_openalex, http_client
from reciprocity.sources import openalex

WORKS = {w["id"].rsplit("/", 1)[-1]: w for w in openalex_lines()}
PAIR = [WORKS["W1001"], WORKS["W1002"], WORKS["W1006"]]
REFS = {k: {kk: v for kk, v in w.items() if kk != "_reciprocity_role"} for k, w in WORKS.items()}
SELECT = ("select=id,doi,title,publication_year,publication_date,type,authorships,"
          "primary_topic,referenced_works,updated_date")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("RECIPROCITY_CACHE", str(cache))
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    monkeypatch.delenv("OPENALEX_EMAIL", raising=False)
    return cache


def _page(works: list[dict], cursor: str | None) -> dict:
    return {"meta": {"count": 3, "db_response_time_ms": 5, "page": None, "per_page": 200,
                     "next_cursor": cursor, "groups_count": None},
            "results": works, "group_by": []}


def _sum(flows, unit: str, origin: str, destination: str) -> float:
    sel = flows[(flows["unit"] == unit) & (flows["origin"] == origin)
                & (flows["destination"] == destination)]
    return float(sel["magnitude"].sum())


def _api(seen: list[str], first: Callable[[], httpx.Response] | None = None):
    """Two cursor pages of the pair's works, then the cited works by id."""

    def handler(request: httpx.Request) -> httpx.Response:
        url = unquote(str(request.url))
        seen.append(str(request.url))
        assert request.url.host == "api.openalex.org" and request.url.path == "/works"
        if "cursor=*" in url:
            if first is not None and sum("cursor=%2A" in u for u in seen) == 1:
                return first()
            return httpx.Response(200, json=_page(PAIR[:2], "c2=="))
        if "cursor=c2==" in url:
            return httpx.Response(200, json=_page(PAIR[2:], None))
        if "openalex_id:" in url:
            ids = url.split("openalex_id:", 1)[1].split("&", 1)[0].split("|")
            return httpx.Response(200, json=_page([REFS[i] for i in ids if i in REFS], None))
        raise AssertionError(url)

    return handler


def _fetch(tmp_path: Path, handler, **kwargs) -> Path:
    with http_client(httpx.MockTransport(handler), sleep=lambda s: None) as client:
        return fetch_openalex("United States", "JPN", 2020, tmp_path, client=client, **kwargs)


def test_fetch_openalex_cursor_pages_retry_and_references(tmp_path: Path) -> None:
    seen: list[str] = []
    busy = lambda: httpx.Response(429, headers={"Retry-After": "0"})  # noqa: E731
    path = _fetch(tmp_path, _api(seen, first=busy))
    base = ("https://api.openalex.org/works?filter=institutions.country_code:us+jp,"
            f"from_publication_date:2020-01-01&{SELECT}")
    assert seen == [f"{base}&cursor=%2A&per-page=200",  # answered 429, retried
                    f"{base}&cursor=%2A&per-page=200",
                    f"{base}&cursor=c2%3D%3D&per-page=200",
                    "https://api.openalex.org/works?filter=openalex_id:W1003%7CW1004%7CW1999"
                    f"%7CW1007&{SELECT}&per-page=4"]
    assert path.name == "openalex-JPN-USA-since-2020.jsonl"
    lines = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    roles = {x["id"].rsplit("/", 1)[-1]: x.get("_reciprocity_role") for x in lines}
    assert roles == {"W1001": None, "W1002": None, "W1006": None,
                     "W1003": "referenced", "W1004": "referenced", "W1007": "referenced"}
    assert lines[0] == PAIR[0]  # each work as the API gave it, fields in its order
    parsed = openalex.SOURCE.read(path)
    assert parsed.notes["works"] == 3
    assert _sum(parsed.flows, "works_whole", "JPN", "USA") == 3
    assert _sum(parsed.flows, "citations", "JPN", "USA") == 3


def test_a_second_fetch_is_served_from_the_disk_cache(tmp_path: Path) -> None:
    seen: list[str] = []
    first = _fetch(tmp_path / "a", _api(seen))
    second = _fetch(tmp_path / "b", _api(seen))
    assert len(seen) == 3
    assert first.read_bytes() == second.read_bytes()


def test_max_stops_the_paging_and_no_references_fetches_none(tmp_path: Path) -> None:
    seen: list[str] = []
    path = _fetch(tmp_path, _api(seen), max_works=1, references=False)
    assert len(seen) == 1  # the first page held 2 works: no second page asked for
    assert len(path.read_text("utf-8").splitlines()) == 2  # the page is kept whole


def test_an_empty_page_ends_the_paging_whatever_its_cursor(tmp_path: Path) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if len(seen) == 1:
            return httpx.Response(200, json=_page(PAIR, "again"))
        return httpx.Response(200, json=_page([], "again"))

    path = _fetch(tmp_path, handler, references=False)
    assert len(seen) == 2
    assert len(path.read_text("utf-8").splitlines()) == 3


def test_key_and_email_are_query_parameters_and_the_key_is_never_shown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENALEX_API_KEY", "s3cr3t+key")
    monkeypatch.setenv("OPENALEX_EMAIL", "me@example.org")
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(403, json={"error": "Forbidden", "message": "Invalid API key"})

    with pytest.raises(FetchError) as exc:
        _fetch(tmp_path, handler)
    assert seen[0].params["api_key"] == "s3cr3t+key"
    assert seen[0].params["mailto"] == "me@example.org"
    message = str(exc.value)
    assert "s3cr3t" not in message
    assert "HTTP 403 Forbidden" in message and "Invalid API key" in message
    assert "OPENALEX_API_KEY" in message and "reciprocity ingest openalex FILE" in message
    assert "api.openalex.org/works?filter=institutions.country_code:us+jp" in message
    assert not list(tmp_path.glob("*.jsonl"))


@pytest.mark.parametrize(("answer", "needle"), [
    (httpx.Response(503, text="down"), "HTTP 503 Service Unavailable"),
    (httpx.Response(200, text="<html>maintenance</html>"), "did not answer JSON"),
    (httpx.Response(200, json={"error": "?"}), "without 'results' and 'meta'"),
])
def test_wrong_answers_raise_fetch_error(tmp_path: Path, answer: httpx.Response,
                                         needle: str) -> None:
    with pytest.raises(FetchError) as exc:
        _fetch(tmp_path, lambda request: answer)
    assert needle in str(exc.value)
    assert "Could not fetch OpenAlex works for JPN–USA" in str(exc.value)
    assert exc.value.exit_code == 4


def test_no_works_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="no works co-authored by JPN and USA since 2020"):
        _fetch(tmp_path, lambda request: httpx.Response(200, json=_page([], None)))


def test_the_same_country_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="two different countries"):
        fetch_openalex("JPN", "Japan", 2020, tmp_path)
