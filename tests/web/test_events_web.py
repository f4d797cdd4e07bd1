"""Policy events in the web app: markers on the pair page's charts with their legend, the
events page, the editors' form (problems beside their fields, nothing written) and the API."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from web.support import USERS, form_fields
from web.test_auth import csrf_of, sign_in


def _count(client: TestClient) -> int:
    with client.app.state.backend.read() as r:
        return r.store.con.execute("SELECT count(*) FROM policy_events").fetchone()[0]


def test_pair_page_charts_carry_numbered_event_markers(web_client: TestClient) -> None:
    page = web_client.get("/pair?a=USA&b=JPN&channel=arms")
    assert page.status_code == 200
    specs = re.findall(r'<script type="application/json" id="chart-\d+-(flows|index)-spec">'
                       r'(.*?)</script>', page.text, re.S)
    assert {kind for kind, _ in specs} == {"flows", "index"}
    for _, spec in specs:
        layout = json.loads(spec)["layout"]
        assert sorted(s["name"] for s in layout["shapes"]) == ["event 2", "event 3", "event 4"]
        assert sorted(a["text"] for a in layout["annotations"]) == ["2", "3", "4"]
    legend = re.search(r'<section class="channel" id="pair-events">(.*?)</section>', page.text,
                       re.S)
    assert legend, "no events legend on the pair page"
    assert re.findall(r'data-event="(\d+)"><td class="num">\d+</td><td>([^<]+)</td>',
                      legend.group(1)) == [("1", "1967"), ("2", "1988-11"),
                                           ("3", "1989-01-15"), ("4", "2014-04-01")]
    assert 'href="/events/web-ev-agreement"' in legend.group(1)


def test_events_page_and_detail(web_client: TestClient) -> None:
    page = web_client.get("/events?a=USA&b=JPN")
    assert page.status_code == 200
    assert re.findall(r'<tr data-event="([^"]+)">', page.text) == [
        "web-ev-principles", "web-ev-agreement", "web-ev-dispute", "web-ev-rules"]
    assert 'href="https://example.org/agreement"' in page.text
    only = web_client.get("/events?a=USA&b=JPN&kind=dispute&since=1980")
    assert re.findall(r'<tr data-event="([^"]+)">', only.text) == ["web-ev-dispute"]
    bad = web_client.get("/events?a=USA&b=Atlantis")
    assert bad.status_code == 422 and "Atlantis" in bad.text
    detail = web_client.get("/events/web-ev-agreement")
    assert detail.status_code == 200
    assert 'href="/ledger/web-test-program"' in detail.text
    assert "web test fixture" in detail.text  # the history's reason
    assert web_client.get("/events/nope").status_code == 404


def test_form_refuses_bad_input_beside_fields_then_saves(web_rw_client: TestClient) -> None:
    assert web_rw_client.get("/events/new").status_code == 303  # sign in first
    sign_in(web_rw_client, "ed")
    form = web_rw_client.get("/events/new")
    assert form.status_code == 200
    before = _count(web_rw_client)
    bad = web_rw_client.post("/events/new", data={
        "csrf_token": csrf_of(form.text), "id": "web-ev-form", "date": "1990-13",
        "countries": "USA, Atlantis", "kind": "alliance", "title": "Form event",
        "summary": "Made by the form test.", "sources-0-title": "Only a title"})
    assert bad.status_code == 422
    for field in ("date", "countries", "kind", "sources-0-publisher"):
        assert f'id="{field}-error"' in bad.text, field
    assert 'value="USA, Atlantis"' in bad.text
    assert _count(web_rw_client) == before
    created = web_rw_client.post("/events/new", data={
        "csrf_token": csrf_of(form.text), "id": "web-ev-form", "date": "1990-06",
        "countries": "USA, Japan", "kind": "agreement", "title": "Form event",
        "summary": "Made by the form test.", "programs": "web-test-program",
        "sources-0-title": "A form source", "sources-0-publisher": "Tests",
        "reason": "new event"})
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/events/web-ev-form?saved=1"
    edit = web_rw_client.get("/events/web-ev-form/edit")
    fields = form_fields(edit.text, "event-form")
    assert fields["countries"] == "USA, JPN" and fields["sources-0-title"] == "A form source"
    fields.update({"title": "Form event, retitled", "reason": "typo"})
    assert web_rw_client.post("/events/web-ev-form/edit", data=fields).status_code == 303
    with web_rw_client.app.state.backend.read() as r:
        trail = r.event_history("web-ev-form")
    assert [(v.version, v.changed_by, v.reason, v.changes) for v in trail] == [
        (1, "ed", "new event", ("created",)), (2, "ed", "typo", ("title",))]
    page = web_rw_client.get("/events/web-ev-form")
    no_reason = web_rw_client.post("/events/web-ev-form/delete", data={
        "csrf_token": csrf_of(page.text), "reason": ""})
    assert no_reason.status_code == 422 and 'id="delete-error"' in no_reason.text
    gone = web_rw_client.post("/events/web-ev-form/delete", data={
        "csrf_token": csrf_of(page.text), "reason": "made by a test"})
    assert gone.status_code == 303 and gone.headers["location"] == "/events?deleted=web-ev-form"
    assert web_rw_client.get("/events/web-ev-form").status_code == 404
    with web_rw_client.app.state.backend.read() as r:
        assert r.event_history("web-ev-form")[-1].changes == ("deleted",)


def test_api_lists_shows_and_saves(web_rw_client: TestClient) -> None:
    listed = web_rw_client.get("/api/events", params={"a": "JPN", "b": "USA",
                                                      "joint_only": "true"})
    assert listed.status_code == 200
    body = listed.json()
    assert (body["a"], body["b"]) == ("JPN", "USA")
    assert [e["id"] for e in body["events"]] == ["web-ev-agreement", "web-ev-dispute"]
    one = web_rw_client.get("/api/events/web-ev-dispute").json()
    assert one["event"]["date"] == "1989-01-15" and one["versions"][0]["version"] == 1
    event = {"id": "web-ev-api", "date": "2001", "countries": ["USA", "JPN"],
             "kind": "report", "title": "API event", "summary": "Made by the API test.",
             "sources": [{"title": "API source", "author": "Tests"}]}
    assert web_rw_client.post("/api/events", json=event).status_code == 401
    auth = ("ed", USERS["ed"][1])
    before = _count(web_rw_client)
    refused = web_rw_client.post("/api/events", json={**event, "kind": "alliance"}, auth=auth)
    assert refused.status_code == 422 and "alliance" in refused.text
    assert _count(web_rw_client) == before
    saved = web_rw_client.post("/api/events", json=event, auth=auth, params={"reason": "api"})
    assert saved.status_code == 201, saved.text
    assert saved.json()["version"] == 1
    assert web_rw_client.post("/api/events", json=event, auth=auth).json()["version"] == 1
    assert _count(web_rw_client) == before + 1
