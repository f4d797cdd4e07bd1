"""``reciprocity fetch wdi``: World Bank API v2 pages (composed to its documented shape) replayed
offline through the one HTTP client: paging, retries, the cache, errors, the written layout."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ev_helpers import BX_NAME
from reciprocity.errors import FetchError, InputError
from reciprocity.fetch import fetch_wdi, http_client
from reciprocity.sources import wdi


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("RECIPROCITY_CACHE", str(cache))
    return cache


def _page(page: int, pages: int, rows: list[tuple[str, str, str, float | None]],
          year: str = "2012") -> list:
    return [{"page": page, "pages": pages, "per_page": 2, "total": 3, "sourceid": "2",
             "sourcename": "World Development Indicators", "lastupdated": "2026-07-01"},
            [{"indicator": {"id": "BX.GSR.ROYL.CD", "value": BX_NAME},
              "country": {"id": iso2, "value": name}, "countryiso3code": iso3,
              "date": year, "value": value, "unit": "", "obs_status": "", "decimal": 0}
             for iso2, iso3, name, value in rows]]


def _client(handler) -> httpx.Client:
    return http_client(httpx.MockTransport(handler), sleep=lambda s: None)


def test_fetch_wdi_pages_retries_caches_and_ingests(tmp_path: Path) -> None:
    pages = {1: _page(1, 2, [("JP", "JPN", "Japan", 31892291571.9474),
                             ("US", "USA", "United States", 124182000000.0)]),
             2: _page(2, 2, [("1W", "WLD", "World", 2.9e11)])}
    calls: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        assert request.url.path == "/v2/en/country/all/indicator/BX.GSR.ROYL.CD"
        if len(calls) == 1:
            return httpx.Response(503, headers={"Retry-After": "0"})
        page = int(request.url.params["page"])
        return httpx.Response(200, json=pages[page])

    with _client(handler) as client:
        paths = fetch_wdi(["BX.GSR.ROYL.CD"], tmp_path / "out", client=client)
        assert len(calls) == 3  # one 503 retried, then two pages
        again = fetch_wdi(["BX.GSR.ROYL.CD"], tmp_path / "out2", client=client)
        assert len(calls) == 3  # both pages came from the on-disk cache
    assert [dict(u.params) for u in calls[1:]] == [
        {"per_page": "20000", "page": str(n), "format": "json"} for n in (1, 2)]
    assert paths[0].name == "API_BX.GSR.ROYL.CD_wbgapi_2026-07-01.csv"
    assert again[0].read_bytes() == paths[0].read_bytes()
    parsed = wdi.SOURCE.read(paths[0])
    assert parsed.layout == "api_download" and parsed.generated_at.year == 2026
    ind = parsed.indicators.set_index("country")
    assert ind.loc["USA", "value"] == pytest.approx(124182000000.0)
    assert bool(ind.loc["WLD", "is_aggregate"])


def test_the_file_is_the_world_banks_download_layout_byte_for_byte(tmp_path: Path) -> None:
    rows = [("US", "USA", "United States", 12.0), ("JP", "JPN", "Japan", 3),
            ("1W", "WLD", "World", None)]
    body = _page(1, 1, rows, year="1961")
    with _client(lambda request: httpx.Response(200, json=body)) as client:
        [path] = fetch_wdi(["BX.GSR.ROYL.CD"], tmp_path, client=client)
    name = f'"{BX_NAME}","BX.GSR.ROYL.CD"'
    assert path.read_bytes().decode("utf-8") == (
        '\ufeff"Data Source","World Development Indicators",\n\n'
        '"Last Updated Date","2026-07-01",\n\n'
        '"Country Name","Country Code","Indicator Name","Indicator Code","1960","1961",\n'
        f'"Japan","JPN",{name},"","3.0",\n'
        f'"United States","USA",{name},"","12.0",\n'
        f'"World","WLD",{name},"","",\n')


def test_fetch_wdi_error_says_how_to_download(tmp_path: Path) -> None:
    body = [{"message": [{"id": "120", "key": "Invalid value",
                          "value": "The provided parameter value is not valid"}]}]
    with (_client(lambda r: httpx.Response(200, json=body)) as client,
          pytest.raises(FetchError) as exc):
        fetch_wdi(["NOT.A.CODE"], tmp_path, client=client)
    message = str(exc.value)
    assert "World Bank indicator NOT.A.CODE" in message
    assert "Invalid value: The provided parameter value is not valid" in message
    assert "data.worldbank.org/indicator/NOT.A.CODE" in message
    assert "reciprocity ingest wdi API_NOT.A.CODE_DS2" in message
    assert not list(tmp_path.glob("*.csv"))


def test_no_data_is_an_error_not_an_empty_file(tmp_path: Path) -> None:
    body = [{"page": 1, "pages": 0, "per_page": 20000, "total": 0, "lastupdated": "2026-07-01"},
            None]
    with (_client(lambda r: httpx.Response(200, json=body)) as client,
          pytest.raises(FetchError, match="returned no values")):
        fetch_wdi(["XX.NONE"], tmp_path, client=client)
    assert not list(tmp_path.glob("*.csv"))


def test_server_errors_are_retried_a_bounded_number_of_times(tmp_path: Path) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(502, text="Bad Gateway")

    with _client(handler) as client, pytest.raises(FetchError) as exc:
        fetch_wdi(["BX.GSR.ROYL.CD"], tmp_path, client=client)
    assert len(calls) == 4  # one try and three retries
    assert "HTTP 502 Bad Gateway" in str(exc.value)
    assert "api.worldbank.org/v2/en/country/all/indicator/BX.GSR.ROYL.CD" in str(exc.value)


def test_a_page_that_is_not_the_api_shape_is_an_error(tmp_path: Path) -> None:
    with (_client(lambda r: httpx.Response(200, json={"oops": 1})) as client,
          pytest.raises(FetchError, match="not a World Bank API v2 page")):
        fetch_wdi(["BX.GSR.ROYL.CD"], tmp_path, client=client)


@pytest.mark.parametrize("codes", [[], ["BX GSR"], ["../x"]])
def test_bad_codes_are_refused_before_any_request(codes: list[str], tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    with _client(handler) as client, pytest.raises(InputError, match=r"BM\.GSR\.ROYL\.CD"):
        fetch_wdi(codes, tmp_path, client=client)
