"""Every API operation that takes a year (issue 15, bounds): found in the OpenAPI schema, not
listed by hand, so a new route with ``since``, ``until`` or ``year`` is covered the day it
is added. Each answers the unbounded year 422 at once, in the error shape."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reciprocity.store.schema import YEAR_MAX, YEAR_MIN
from reciprocity.web.app import create_app

HOSTILE = -2147483649
YEARS = ("since", "until", "year")
REQUIRED = {"a": "USA", "b": "JPN", "country": "JPN"}
"""Values of the required parameters of the operations with years (an unknown one fails)."""


@pytest.fixture(scope="module")
def client(web_store_path: Path) -> TestClient:
    with TestClient(create_app(web_store_path, read_only=True, secret="s")) as c:
        yield c


def year_operations(client: TestClient) -> list[tuple[str, str, dict[str, str]]]:
    """(path, year parameter, required parameters) of every GET operation with a year."""
    out = []
    for path, ops in client.app.openapi()["paths"].items():
        params = ops.get("get", {}).get("parameters", [])
        years = [p["name"] for p in params if p["in"] == "query" and p["name"] in YEARS]
        if years:
            required = {p["name"]: REQUIRED[p["name"]] for p in params if p.get("required")}
            out += [(path, name, required) for name in years]
    return out


def test_every_operation_with_a_year_refuses_an_unbounded_one(client: TestClient) -> None:
    operations = year_operations(client)
    assert {"/api/dyad", "/api/explain", "/api/index"} <= {p for p, _, _ in operations}
    for path, name, required in operations:
        for year in (HOSTILE, YEAR_MIN - 1, YEAR_MAX + 1):
            t = time.perf_counter()
            answer = client.get(path, params={**required, name: year})
            assert answer.status_code == 422, (path, name, year, answer.text)
            body = answer.json()
            assert body["error"] == "InputError" and body["problems"], (path, body)
            assert time.perf_counter() - t < 2, (path, name)
