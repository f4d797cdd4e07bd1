"""Alert rules: validation and what trips them."""

from __future__ import annotations

import pytest

from reciprocity.assess.alerts import hhi_over, index_below, load_alerts, parse_alerts, share_over
from reciprocity.errors import InputError


def test_the_shipped_rules_are_valid():
    rules, source = load_alerts()
    assert {r.kind for r in rules} == {"index_below", "share_over", "hhi_over"}
    assert source == "alerts.yaml (default)"


@pytest.mark.parametrize(("rule", "where"), [
    ({"kind": "index_below", "pair": ["USA", "JPN"], "threshold": 1.5, "years": 3},
     "a.yaml alerts[0].threshold"),
    ({"kind": "index_below", "pair": ["USA", "JPN"], "threshold": 0.3, "years": 0},
     "a.yaml alerts[0].years"),
    ({"kind": "index_below", "pair": ["USA", "Atlantis"], "threshold": 0.3, "years": 2},
     "a.yaml alerts[0].pair[1]"),
    ({"kind": "share_over", "country": "JPN", "channel": "arms", "threshold": -0.2},
     "a.yaml alerts[0].threshold"),
    ({"kind": "share_over", "country": "JPN", "channel": "coauthorship", "threshold": 0.2},
     "a.yaml alerts[0].channel"),
    ({"kind": "hhi_over", "country": "JPN", "channel": "ufo", "threshold": 0.2},
     "a.yaml alerts[0].channel"),
    ({"kind": "hhi_over", "country": "JPN", "channel": "arms", "threshold": 0.2,
      "window": 0}, "a.yaml alerts[0].window"),
    ({"kind": "panic", "threshold": 0.2}, "a.yaml alerts[0].kind"),
])
def test_bad_rules_are_refused(rule, where):
    with pytest.raises(InputError) as exc:
        parse_alerts({"alerts": [rule]}, "a.yaml")
    assert where in {p.location for p in exc.value.problems}, exc.value.problems


def rule(**kw):
    (r,) = parse_alerts({"alerts": [kw]}, "a.yaml")
    return r


def test_index_below_needs_the_latest_years_running():
    r = rule(kind="index_below", pair=["USA", "JPN"], threshold=0.3, years=3)
    series = [{"year": y, "index": v} for y, v in
              ((2020, 0.1), (2021, 0.5), (2022, 0.2), (2023, 0.1), (2024, 0.25))]
    result = index_below(r, series)
    assert result.tripped and result.evidence["run_years"] == 3
    assert [x["year"] for x in result.evidence["run"]] == [2022, 2023, 2024]
    series[-2]["index"] = 0.4
    assert not index_below(r, series).tripped
    assert not index_below(r, []).tripped


def test_share_and_hhi_rules():
    share = rule(kind="share_over", country="JPN", partner="USA", channel="arms", threshold=0.6)
    dep = {"top_partner": "USA", "top_share": 0.9, "hhi": 0.82, "total": 10.0,
           "window": "2021–2025"}
    assert share_over(share, dep, 0.9).tripped
    assert not share_over(share, dep, 0.5).tripped
    hhi = rule(kind="hhi_over", country="JPN", channel="arms", threshold=0.9)
    assert not hhi_over(hhi, dep).tripped and hhi_over(hhi, dep).observed == 0.82
