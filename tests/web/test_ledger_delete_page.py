"""Deleting a ledger record from its page: refused without a reason (beside the button,
nothing written), then a version marked deleted with the reason (the same helper as events)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from web.test_auth import csrf_of, sign_in


def test_ledger_delete_needs_a_reason(web_rw_client: TestClient) -> None:
    record_id = web_rw_client.get("/api/ledger/transfers").json()[0]["id"]
    sign_in(web_rw_client, "ed")
    page = web_rw_client.get(f"/ledger/{record_id}")
    assert page.status_code == 200
    no_reason = web_rw_client.post(f"/ledger/{record_id}/delete", data={
        "csrf_token": csrf_of(page.text), "reason": " "})
    assert no_reason.status_code == 422 and 'id="delete-error"' in no_reason.text
    with web_rw_client.app.state.backend.read() as r:
        assert not r.ledger_history(record_id)[-1].is_deleted
    gone = web_rw_client.post(f"/ledger/{record_id}/delete", data={
        "csrf_token": csrf_of(page.text), "reason": "made by a test"})
    assert gone.status_code == 303 and gone.headers["location"] == f"/ledger?deleted={record_id}"
    with web_rw_client.app.state.backend.read() as r:
        last = r.ledger_history(record_id)[-1]
    assert (last.is_deleted, last.changed_by, last.reason) == (True, "ed", "made by a test")
