"""The events' pydantic model is the events API's body and answer: /openapi.json documents it,
and the answers are what the model dumps."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reciprocity.events.model import Event
from reciprocity.events.schema import KINDS


def _ok_schema(spec: dict, path: str, method: str, code: str = "200") -> dict:
    return spec["paths"][path][method]["responses"][code]["content"]["application/json"][
        "schema"]


def test_openapi_documents_the_event_model(web_client: TestClient) -> None:
    spec = web_client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    assert {"Event", "Citation", "PairEvents", "EventHistory", "EventVersion",
            "SavedEvent"} <= set(components)
    body = spec["paths"]["/api/events"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert set(body["required"]) == {"id", "date", "countries", "kind", "title", "summary"}
    assert body["properties"]["kind"]["enum"] == list(KINDS)
    assert body["properties"]["sources"]["items"] == {"$ref": "#/components/schemas/Citation"}
    assert _ok_schema(spec, "/api/events", "get") == {"$ref": "#/components/schemas/PairEvents"}
    assert _ok_schema(spec, "/api/events/{event_id}", "get") == {
        "$ref": "#/components/schemas/EventHistory"}
    assert _ok_schema(spec, "/api/events", "post", "201") == {
        "$ref": "#/components/schemas/SavedEvent"}


def test_events_are_answered_as_the_model_dumps_them(web_client: TestClient) -> None:
    listed = web_client.get("/api/events", params={"a": "USA", "b": "JPN"}).json()
    assert listed["events"]
    for data in listed["events"]:
        assert data == Event.model_validate(data).model_dump(mode="json")
    one = web_client.get(f"/api/events/{listed['events'][0]['id']}").json()
    assert one["event"] == listed["events"][0]
    assert set(one["versions"][0]) == {"version", "changed_at", "changed_by", "reason",
                                       "is_deleted", "changes"}
