"""The assessment endpoints declare their answers' models: /openapi.json documents them, and
each endpoint's JSON validates against its model (every key listed, none unknown)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from reciprocity.assess import answers

ENDPOINTS = [
    ("/api/index", {"a": "USA", "b": "JPN", "replicates": 200, "seed": 1},
     answers.IndexAnswer),
    ("/api/capabilities", {"country": "JPN"}, answers.CapabilitiesAnswer),
    ("/api/opportunities", {"a": "USA", "b": "JPN", "all": "true"},
     list[answers.Opportunity]),
    ("/api/dependence", {"country": "JPN"}, answers.DependenceAnswer),
    ("/api/alerts", {}, answers.AlertsAnswer),
]


def _answer_schema(spec: dict, path: str) -> dict:
    return spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"]


def test_openapi_documents_the_answers(web_client: TestClient) -> None:
    spec = web_client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    for path, _, model in ENDPOINTS:
        schema = _answer_schema(spec, path)
        if path == "/api/opportunities":
            assert schema["type"] == "array"
            schema, model = schema["items"], answers.Opportunity
        assert schema == {"$ref": f"#/components/schemas/{model.__name__}"}
        assert set(components[model.__name__]["properties"]) == set(model.model_fields)
    assert {"ChannelIndex", "NullModel", "AlertResult", "AlertRule", "Supplier",
            "AreaConcentration"} <= set(components)


@pytest.mark.parametrize(("path", "params", "model"), ENDPOINTS)
def test_each_answer_validates_against_its_model(web_client: TestClient, path: str,
                                                 params: dict, model: object) -> None:
    response = web_client.get(path, params=params)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data
    TypeAdapter(model).validate_python(data)
    wrong = dict(data[0]) if isinstance(data, list) else dict(data)
    wrong["unexpected"] = 1
    with pytest.raises(ValueError, match="unexpected"):
        TypeAdapter(model).validate_python([wrong] if isinstance(data, list) else wrong)
