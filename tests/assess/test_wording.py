"""The assessment's sentences for people (best evidence, production base, no evidence) name
measures, fields and areas by their labels (labels.py, the taxonomy), never by their ids."""

from __future__ import annotations

import re

from reciprocity import labels, taxonomy
from reciprocity.assess import opportunities
from reciprocity.assess.capabilities import no_evidence

ID = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[A-Z]+_[A-Z]+\b")


def test_best_evidence_names_measure_field_and_figures() -> None:
    ev = {"measure": "patent_families", "field": "ENV_TECH", "period": "2016–2020",
          "rta": 0.971, "previous_rta": 1.004, "rank": 1.0, "trend": "steady"}
    text = opportunities._describe(ev)
    assert text == ("IP5 patent families, Environment-related technologies, 2016–2020: "
                    "RTA 0.97 (was 1.00), rank 1")
    arms = opportunities._describe({"measure": "arms_exports", "field": None,
                                    "period": "2021–2025", "rank": 16.0, "trend": "rising"})
    assert arms == "arms exports of own design, 2021–2025: rank 16, rising"
    assert not ID.search(text + arms)


def test_every_measure_has_a_label_and_every_area_a_name() -> None:
    from reciprocity.assess.capabilities import MEASURES

    for measure in MEASURES:
        assert "_" not in labels.label(measure), measure
    for area_id, spec in taxonomy.areas().items():
        assert labels.area(area_id) == spec.name
    for code, spec in taxonomy.oecd_patent_fields().items():
        assert labels.field(code) == spec["name"]


def test_no_evidence_message_names_the_area() -> None:
    msg = {e["area"]: e["message"] for e in no_evidence(set())}
    assert msg["computing_ai"].startswith("no evidence loaded for Computing, software and AI: ")
    assert all(not ID.search(m.split(": ")[0]) for m in msg.values())
