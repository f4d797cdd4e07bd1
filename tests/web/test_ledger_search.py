"""Searching the ledger (API and page) when records have empty cells (regression: pandas 3
kept them as NaN after ``astype(str)`` and every ``q=`` answered 500)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from reciprocity.api import Reciprocity
from reciprocity.web.app import create_app

SPARSE = """\
format: reciprocity-ledger/1
programs:
  - id: sparse-program
    name: Sparse radar program
    partners: [USA, JPN]
    form: joint_research
    sources: [{title: A test source, publisher: Reciprocity tests}]
transfers:
  - id: sparse-transfer
    from: JPN
    to: USA
    technology: Sparse gallium nitride know-how
    status_history: [{status: proposed, date: null}]
    sources: [{title: A test source, publisher: Reciprocity tests}]
  - id: full-transfer
    from: USA
    to: JPN
    program: sparse-program
    technology: Radar production licence
    area: sensors
    kind: soft
    significance: major
    status_history: [{status: executed, date: "1999", reason: delivered}]
    sources: [{title: A test source, publisher: Reciprocity tests}]
"""


@pytest.fixture(scope="module")
def sparse_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("sparse")
    (folder / "sparse.yaml").write_text(SPARSE, encoding="utf-8")
    db = folder / "sparse.duckdb"
    with Reciprocity(db) as r:
        r.ledger_import(folder / "sparse.yaml", by="tests", reason="sparse ledger")
        frame = r.ledger_list("transfers")
        assert frame.isna().any().any(), "the fixture must have empty cells"
        assert r.ledger_list("programs").isna().any().any()
    with TestClient(create_app(db, read_only=True, secret="test-secret")) as c:
        yield c


@pytest.mark.parametrize(("path", "q", "ids"), [
    ("/api/ledger/transfers", "gallium", ["sparse-transfer"]),
    ("/api/ledger/transfers", "RADAR licence", ["full-transfer"]),
    ("/api/ledger/transfers", "nan", []),  # an empty cell is not the text "nan"
    ("/api/ledger/programs", "sparse radar", ["sparse-program"]),
])
def test_api_search_with_empty_cells(sparse_client: TestClient, path: str, q: str,
                                     ids: list[str]) -> None:
    resp = sparse_client.get(path, params={"q": q})
    assert resp.status_code == 200, resp.text
    assert [row["id"] for row in resp.json()] == ids


def test_page_search_with_empty_cells(sparse_client: TestClient) -> None:
    for kind, q, found in (("transfers", "gallium", "sparse-transfer"),
                           ("programs", "radar", "sparse-program")):
        resp = sparse_client.get("/ledger", params={"kind": kind, "q": q})
        assert resp.status_code == 200, resp.text
        assert found in resp.text
