"""The ledger's pydantic models are the API's bodies: /openapi.json documents them, and a bad
body is refused with the app's one error shape, every problem with its place."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from reciprocity.ledger.model import Program, Transfer
from reciprocity.ledger.schema import FORMS, STATUSES
from web.support import USERS


def _basic(name: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{USERS[name][1]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _body_schema(spec: dict, path: str) -> dict:
    return spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def test_openapi_documents_the_ledger_models(web_client: TestClient) -> None:
    spec = web_client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    assert {"Program", "Transfer", "Citation", "Money", "StatusChange", "RecordOut",
            "SavedOut", "StatusChangeIn"} <= set(components)
    transfer = _body_schema(spec, "/api/ledger/transfers")
    assert {"from", "to", "status_history", "sources"} <= set(transfer["properties"])
    assert set(transfer["required"]) == {"id", "from", "to", "technology"}
    program = _body_schema(spec, "/api/ledger/programs")
    assert program["properties"]["form"]["enum"] == list(FORMS)
    assert program["properties"]["start_year"]["anyOf"][0] == {
        "maximum": 2200, "minimum": 1000, "type": "integer"}
    steps = components["StatusChange"]["properties"]["status"]
    assert steps["enum"] == list(STATUSES)
    registry = _body_schema(spec, "/api/ledger/import")
    assert registry["properties"]["programs"]["items"] == {"$ref": "#/components/schemas/Program"}
    answer = spec["paths"]["/api/ledger/records/{record_id}"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RecordOut"}


def test_a_record_is_answered_as_its_model_dumps_it(web_client: TestClient) -> None:
    listed = web_client.get("/api/ledger/programs").json()
    answer = web_client.get(f"/api/ledger/records/{listed[0]['id']}").json()
    assert answer["kind"] == "programs"
    assert answer["record"] == Program.model_validate(answer["record"]).model_dump(mode="json")
    transfer = web_client.get("/api/ledger/transfers").json()[0]["id"]
    record = web_client.get(f"/api/ledger/records/{transfer}").json()["record"]
    assert record == Transfer.model_validate(record).model_dump(mode="json")
    assert "from" in record and "origin" not in record


def test_a_bad_body_is_422_with_every_problem_in_the_app_shape(
        web_rw_client: TestClient) -> None:
    bad = {"id": "p-bad", "name": "Bad", "partners": ["USA", "JPN"], "form": "barter",
           "start_year": 3000, "colour": "red",
           "workshare": [{"country": "USA", "planned_pct": 120}],
           "value": [{"planned": {"amount_millions": "inf", "currency": "USD"}}],
           "sources": [{"title": "S"}]}
    resp = web_rw_client.post("/api/ledger/programs?reason=test", json=bad,
                              headers=_basic("ed"))
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert set(body) == {"error", "status", "message", "problems"}
    assert body["error"] == "InputError" and body["status"] == 422
    found = {p["location"]: (p["found"], p["expected"]) for p in body["problems"]}
    assert found["programs[0].form"][1].startswith("one of licensed_production, ")
    assert found["programs[0].start_year"] == ("3000", "a year between 1000 and 2200")
    assert found["programs[0].colour"][0] == "unknown key 'colour'"
    assert "partners" in found["programs[0].colour"][1]
    assert found["programs[0].workshare[0].planned_pct"] == (
        "120", "a share in percent between 0 and 100")
    assert found["programs[0].value[0].planned.amount_millions"] == (
        "'inf'", "an amount in millions: a finite number")
    assert found["programs[0].sources[0]"] == ("no publisher or author",
                                                "who published or wrote it")
    assert web_rw_client.get("/api/ledger/records/p-bad").status_code == 404


def test_a_status_body_of_the_wrong_type_is_422(web_rw_client: TestClient) -> None:
    transfer = web_rw_client.get("/api/ledger/transfers").json()[0]["id"]
    resp = web_rw_client.post(f"/api/ledger/transfers/{transfer}/status",
                              json={"status": ["executed"]}, headers=_basic("ed"))
    assert resp.status_code == 422
    assert resp.json()["problems"][0]["location"] == "body.status"
