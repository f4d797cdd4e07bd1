"""Schemathesis over the API's OpenAPI schema: generated requests to every operation, signed in
as an editor (HTTP Basic), on a private copy of the web tests' store; no answer may be a 5xx.

Bounded: :data:`MAX_EXAMPLES` examples per operation, no shrinking, no stored database, so the
test takes seconds. The number of requests made is written to
``test-artifacts/reliability/schemathesis.json`` (reported in docs/reliability.md).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings

from reciprocity.web.app import create_app
from web.support import USERS

MAX_EXAMPLES = 8
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"
EDITOR = "Basic " + base64.b64encode(f"ed:{USERS['ed'][1]}".encode()).decode()


@pytest.fixture(scope="module")
def web_fuzz_app(web_store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    from web.support import copy_store

    store = copy_store(web_store_path, tmp_path_factory.mktemp("fuzz"))
    app = create_app(store, secret="fuzz-secret")
    with TestClient(app):  # runs the app's start-up
        yield app


def _not_json(name: str) -> None:
    raise AssertionError(f"{name} in a JSON answer")


def test_api_answers_no_5xx(web_fuzz_app) -> None:
    """Every operation of the schema, :data:`MAX_EXAMPLES` generated requests each (the
    schemathesis pytest plugin does not run on pytest 9, so the operations are driven here)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_fuzz_app)
    failures: list[str] = []
    calls: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        key = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            calls[case.method.upper() + " " + case.path] = calls.get(
                case.method.upper() + " " + case.path, 0) + 1
            response = case.call(headers={"Authorization": EDITOR})
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {case.query}: {response.status_code} "
                f"{response.text[:300]}")
            kind = response.headers.get("content-type") or ""
            kind = kind[0] if isinstance(kind, list) and kind else str(kind)
            if kind.startswith("application/json"):
                json.loads(response.content, parse_constant=_not_json)  # strict JSON

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{key}: {type(exc).__name__}: {str(exc)[:600]}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "schemathesis.json").write_text(json.dumps(
        {"max_examples": MAX_EXAMPLES, "operations": len(calls),
         "requests": sum(calls.values()), "failures": len(failures), "by_operation": calls},
        indent=1))
    assert calls, "no operation was exercised"
    assert not failures, "\n\n".join(failures)
