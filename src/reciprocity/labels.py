"""Human labels and number formats: one place for every front end (tables, pages, briefings).

Three functions, so any front end can adopt them without knowing more:

* ``label(key) -> str``: the heading or word people read for a machine name (a column, a
  mode, a channel, a unit, a measure): ``gl_index`` → ``Two-way index``,
  ``licensed_production`` → ``licensed production``, ``tiv_millions`` → ``TIV, millions``.
  A name without a label of its own is shown with spaces for underscores, never in
  snake_case.
* ``word(key) -> str``: the same label inside a sentence, in lower case but for a leading
  abbreviation (``start_year`` → ``start year``, ``tiv_delivered`` → ``TIV delivered``).
* ``fmt(value, unit=None) -> str``: a value as people read it, by its unit (a unit of
  :data:`reciprocity.channels.UNIT_DECLARATIONS`, or one of the :data:`KINDS` below): money
  in millions without cents, whole counts as integers, indices and ratios to 3 decimals,
  years without a thousands separator, dates as ``YYYY-MM-DD`` (never a timestamp), an empty
  string for a missing value (never ``NaN`` or ``NaT``), ``yes``/``no`` for booleans.

Machine outputs (JSON, CSV) keep the raw names and values; these are for people.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from reciprocity import channels as _channels

#: Number formats, by kind. ``money_millions``: a money amount already in millions;
#: ``money``: a money amount in units, shown in millions; ``volume``: SIPRI TIV (millions,
#: one decimal); ``count``: whole counts (integers); ``fraction``: fractional counts (one
#: decimal); ``index``: indices and ratios (3 decimals); ``percent``: a percentage (one
#: decimal); ``proportion``: a share of 1, shown as a percentage (one decimal);
#: ``decimal``: two decimals; ``year`` and ``id``: integers without separators;
#: ``date``: ``YYYY-MM-DD``;
#: ``text``: as it is.
KINDS = ("money_millions", "money", "volume", "count", "fraction", "index", "percent",
         "proportion", "decimal", "year", "id", "date", "text")

#: Each declared unit: its label and its number format. A test keeps this in step with
#: :data:`reciprocity.channels.UNIT_DECLARATIONS`.
UNITS: dict[str, tuple[str, str]] = {
    "tiv_millions": ("TIV, millions", "volume"),
    "articles_whole": ("articles (whole counts)", "count"),
    "coauthorship_index": ("co-authorship index", "index"),
    "works_whole": ("works (whole counts)", "count"),
    "works_fractional": ("works (fractional counts)", "fraction"),
    "relative_citation_index": ("relative citation index", "index"),
    "relative_citation_index_computer_information_sciences":
        ("relative citation index, computer and information sciences", "index"),
    "relative_citation_index_engineering": ("relative citation index, engineering", "index"),
    "relative_citation_index_materials_science":
        ("relative citation index, materials science", "index"),
    "relative_citation_index_physics": ("relative citation index, physics", "index"),
    "citations": ("citations (whole counts)", "count"),
    "citations_fractional": ("citations (fractional counts)", "fraction"),
    "patents_fractional": ("patents (fractional counts)", "fraction"),
    "transfers": ("transfers", "count"),
    "value_usd_millions": ("US$ millions", "money_millions"),
    "usd_current": ("US$ millions, current", "money"),
    "percent_of_gdp": ("% of GDP", "index"),
    "per_million_people": ("per million people", "index"),
    "patent_families_fractional": ("patent families (fractional counts)", "fraction"),
}

#: Columns whose values have a format of their own, whatever the row's unit.
COLUMN_KINDS: dict[str, str] = {
    "year": "year", "start": "year", "end": "year", "order_year": "year",
    "first_delivery_year": "year", "latest_year": "year", "previous_since": "year",
    "previous_until": "year", "since": "year", "until": "year",
    "record_id": "id", "line": "id", "deal_id": "id", "rank": "id",
    "rows_read": "count", "flows_loaded": "count", "records_loaded": "count",
    "number_ordered": "count",
    "number_delivered": "count", "number_licensed": "count", "countries": "count",
    "gl_index": "index", "share_b": "index", "coverage_ratio": "index",
    "rolling_gl_index": "index", "rolling_start": "year",
    "share": "percent", "change_pct": "percent",
    "generated_at": "date", "ingested_at": "date", "created_at": "date",
    "updated_at": "date", "start_year": "year", "end_year": "year",
    "counterpart_year": "year", "first_year": "year", "last_year": "year", "flows": "count",
    "version": "id", "workshare_pct": "percent",  # the ledger, the taxonomy's coverage
    # the assessment (index, capabilities, opportunities, dependence, alerts)
    "index": "index", "ci_low": "index", "ci_high": "index", "expected": "index",
    "null_low": "index", "null_high": "index", "weight": "index", "declared_weight": "index",
    "strength": "index", "a_strength": "index", "b_strength": "index", "score": "index",
    "rta": "index", "previous_rta": "index", "hhi": "index", "threshold": "index",
    "observed": "index", "z": "decimal", "present_share": "proportion",
    "top_share": "proportion", "share_of_a_intake": "proportion", "n_suppliers": "count",
    "unknown_share": "proportion", "world_share": "proportion",
    "export_share_allies": "proportion", "import_share_allies": "proportion",
    "weight_before": "index", "index_before": "index", "ci_low_before": "index",
    "ci_high_before": "index", "weight_after": "index", "index_after": "index",
    "ci_low_after": "index", "ci_high_after": "index", "trend_p": "index",
    "share_change": "index", "allies_with_flows": "count",
}

MODES: dict[str, str] = {
    "new": "new", "second_hand": "second-hand",
    "second_hand_modernized": "second-hand, modernised",
    "licensed_production": "licensed production", "joint": "joint",
    "unspecified": "unspecified",
}

CHANNELS: dict[str, str] = {
    "arms": "Arms", "coauthorship": "Co-authorship", "citation": "Citation",
    "programs": "Cooperation programs", "patent_citation": "Patent citation",
    "coinvention": "Co-invention", "patent_ownership": "Patent ownership",
}

#: ATOP's alliance obligations (its codebook's variables), as people read them.
OBLIGATIONS: dict[str, str] = {
    "defense": "defence", "offense": "offence", "neutral": "neutrality",
    "nonagg": "non-aggression", "consul": "consultation",
}

#: Capability measures (:mod:`reciprocity.assess.capabilities`), as tables and sentences
#: name them.
MEASURES: dict[str, str] = {
    "patent_families": "IP5 patent families", "patents": "U.S. patents",
    "publications": "publications", "citation_impact": "relative citation index",
    "arms_exports": "arms exports of own design",
    "licensed_production": "licensed production",
    "foreign_design_exports": "arms exports of a foreign design",
    "workshare_pct": "workshare, %",  # the ledger's planned-versus-actual check
}

COLUMNS: dict[str, str] = {
    # flows and the two-way measures
    "channel": "Channel", "unit": "Unit", "mode": "Mode", "year": "Year",
    "flow_ab": "A→B", "flow_ba": "B→A", "balance": "Balance A−B", "share_b": "B's share",
    "gl_index": "Two-way index", "coverage_ratio": "Coverage ratio",
    "start": "From", "end": "To", "period": "Period",
    "rolling_ab": "A→B rolling", "rolling_ba": "B→A rolling",
    "rolling_gl_index": "Two-way index, rolling",
    # explain: flows and their source records
    "direction": "Flow", "origin": "From", "destination": "To", "magnitude": "Value",
    "is_estimated": "Estimated", "is_uncertain": "Uncertain", "dataset": "Dataset",
    "vintage_id": "Vintage", "record_id": "Record", "source_file": "File", "line": "Line",
    "deal_id": "Deal", "supplier": "Supplier", "recipient": "Recipient",
    "designation": "Designation", "description": "Description", "order_year": "Ordered",
    "delivery_years": "Delivered", "tiv_delivered": "TIV delivered", "comments": "Comments",
    "mode_evidence": "Mode evidence", "mode_record": "Mode read", "design_origin": "Design",
    "number_licensed": "Made locally", "local_production": "Local production",
    # sources
    "layout": "Layout", "generated_at": "Published", "ingested_at": "Ingested",
    "is_complete": "Complete", "is_default": "Default", "rows_read": "Rows",
    "flows_loaded": "Flows", "sha256": "SHA-256", "file_name": "File", "credit": "Credit",
    "title": "Title", "publisher": "Publisher", "licence": "Licence", "url": "URL",
    # the ledger, the events, channels, taxonomy and users
    "form": "Form", "partners": "Partners", "start_year": "Start year", "end_year": "End year",
    "status": "Status", "version": "Version", "program": "Program", "from": "From",
    "to": "To", "technology": "Technology", "significance": "Significance",
    "status_date": "Status date", "changed_at": "Changed", "changed_by": "By",
    "deleted": "Deleted", "transfer_id": "Transfer",
    "counterpart_id": "Counterpart", "counterpart_year": "Counterpart year", "basis": "Basis",
    "planned": "Planned", "actual": "Actual", "difference": "Difference",
    "tracked": "Tracked", "date": "Date", "countries": "Countries", "sources": "Sources",
    "units": "Units", "directed": "Directed", "role": "Role", "created_at": "Created",
    "updated_at": "Updated", "flows": "Flows", "first_year": "First year",
    "last_year": "Last year",
    # partners, top, indicators
    "rank": "Rank", "partner": "Code", "partner_name": "Partner", "name": "Name",
    "country": "Code", "value": "Value", "share": "Share %", "previous_value": "Previous",
    "change_pct": "Change %", "indicator": "Indicator", "latest_year": "Latest year",
    "latest": "Latest", "years": "Years", "aggregation": "Aggregation",
    "a_to_b": "A→B", "b_to_a": "B→A",
    # diff: what a revision changed
    "change": "Change", "flow": "Flow", "code": "Code", "before": "Before", "after": "After",
    "flow_from": "Flow before", "flow_to": "Flow after", "flow_change": "Flow change",
    "record_id_from": "Record before", "record_id_to": "Record after",
    "tiv_total_order": "TIV of the order", "tiv_per_unit": "TIV per unit",
    "changed_fields": "Changed fields", "changes": "Changes", "what_changed": "What changed",
    # the assessment: capabilities, opportunities, dependence, allies, index, scenario, alerts
    "area": "Area", "measure": "Measure", "best_measure": "Best measure", "field": "Field",
    "strength": "Strength", "rising": "Rising", "leading": "Leading",
    "world_share": "World share", "rta": "RTA", "previous_rta": "RTA before",
    "share_change": "Share change", "trend": "Trend", "trend_p": "Trend p",
    "score": "Score", "qualifies": "Qualifies", "need": "Need", "a_strength": "A's strength",
    "b_strength": "B's strength", "b_rising": "B rising", "present_share": "Present share",
    "best_evidence": "Evidence", "window": "Years", "total": "Total", "hhi": "HHI",
    "top_partner": "Top supplier", "top_share": "Top share", "unknown_share": "Unknown share",
    "short_term_risk": "Short-term risk", "long_term_risk": "Long-term risk",
    "exports": "Exports", "imports": "Imports", "exports_to_allies": "Exports to allies",
    "imports_from_allies": "Imports from allies", "export_share_allies": "Allies' export share",
    "import_share_allies": "Allies' import share", "allies_with_flows": "Allies with flows",
    "not_classified": "Not classified", "ally": "Ally", "allied_years": "Years allied",
    "obligations_a": "Obligations of A", "obligations_ally": "Obligations", "index": "Index",
    "ci_low": "CI low", "ci_high": "CI high", "expected": "Expected", "null_low": "Null low",
    "null_high": "Null high", "verdict": "Verdict", "weight": "Weight",
    "observed_ab": "Observed A→B", "observed_ba": "Observed B→A", "excluded": "Left out",
    "weight_before": "Weight before", "index_before": "Index before",
    "ci_low_before": "CI low before", "ci_high_before": "CI high before",
    "weight_after": "Weight after", "index_after": "Index after",
    "ci_low_after": "CI low after", "ci_high_after": "CI high after",
    "excluded_after": "Left out after", "id": "ID", "kind": "Kind", "subject": "Subject",
    "threshold": "Threshold", "observed": "Observed", "tripped": "Tripped", "firm": "Firm",
    "note": "Note", "priority": "Priority", "rationale": "Rationale", "source": "Source",
    "p_value": "p-value", "n_years_before": "Years with data before",
    "n_years_after": "Years with data after", "reason": "Reason", "ally_name": "Ally name",
    "treaties": "Treaties", "interval_method": "Interval", "sampling_units": "Sampling units",
    "interval_note": "Interval note", "not_classified_years": "Years not classified",
}

#: Kinds of alert rules (:mod:`reciprocity.assess.alerts`), as tables name them.
ALERT_KINDS: dict[str, str] = {
    "share_over": "supplier share over", "hhi_over": "HHI over", "index_below": "index under",
}


def label(key: str) -> str:
    """The label people read for ``key`` (a column, mode, channel, unit or measure name)."""
    key = str(key)
    for table in (COLUMNS, MODES, CHANNELS, OBLIGATIONS, MEASURES, ALERT_KINDS):
        if key in table:
            return table[key]
    if key in UNITS:
        return UNITS[key][0]
    if key.startswith("value_") and key.endswith("_millions"):  # value_jpy_millions
        return f"{key[6:-9].upper()} millions"
    return key.replace("_", " ").strip() or key


def word(key: str) -> str:
    """:func:`label` inside a sentence: lower case, but for a leading abbreviation (TIV)."""
    text = label(key)
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def area(area_id: Any) -> str:
    """A technology area's name from the taxonomy (``computing_ai`` → ``Computing, software
    and AI``); an id the taxonomy does not know, in words."""
    from reciprocity import taxonomy  # lazy: the taxonomy reads its files with pandas

    spec = taxonomy.areas().get(str(area_id))
    return spec.name if spec is not None else label(area_id)


def field(code: Any) -> str:
    """A source's technology field by its name: an OECD STI Scoreboard patent field
    (``ENV_TECH`` → ``Environment-related technologies``); any other code as it is."""
    from reciprocity import taxonomy

    spec = taxonomy.oecd_patent_fields().get(str(code))
    return str(spec["name"]) if spec is not None else str(code)


def kind(unit: str | None) -> str | None:
    """The number format (one of :data:`KINDS`) of a unit or column name, or None."""
    if unit is None:
        return None
    if unit in KINDS:
        return unit
    if unit in UNITS:
        return UNITS[unit][1]
    if unit in COLUMN_KINDS:
        return COLUMN_KINDS[unit]
    if unit.startswith("value_") and unit.endswith("_millions"):
        return "money_millions"
    if unit in _channels.UNIT_DECLARATIONS or unit.startswith("relative_citation_index"):
        return "index" if _channels.aggregation(unit) != "sum" else "fraction"
    return None


def fmt(value: Any, unit: str | None = None) -> str:
    """``value`` as people read it, formatted by ``unit`` (a unit, column name or kind)."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    how = kind(unit)
    if isinstance(value, str):
        if how == "date" and len(value) > 10 and value[4:5] == "-" and value[10:11] in "T ":
            return value[:10]
        return value
    if not isinstance(value, int | float):
        return str(value)
    if how in ("year", "id"):
        return str(int(value)) if float(value).is_integer() else f"{value}"
    if how == "money":
        return f"{value / 1e6:,.0f}"
    if how == "money_millions":
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    if how == "count":
        return f"{value:,.0f}"
    if how == "proportion":
        return f"{100 * value:,.1f} %"
    if how in ("volume", "fraction", "percent"):
        return f"{value:,.1f}"
    if how == "index":
        return f"{value:,.3f}"
    if how == "decimal":
        return f"{value:,.2f}"
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def figure(value: Any, unit: str | None = None) -> str:
    """A figure shown on its own (a card, a sentence, a briefing or web table): :func:`fmt`
    by its unit, ``—`` when there is none. The briefing, the web pages and the headline
    format numbers only through this and :func:`fmt`."""
    return fmt(value, unit) or "—"


def _plain(value: Any) -> Any:
    """None for every kind of missing value (None, NaN, NaT, pandas NA); NumPy and pandas
    scalars as plain Python (Timestamp → datetime)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    name = type(value).__name__
    if name in ("NaTType", "NAType"):
        return None
    if name == "Timestamp":
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # NumPy scalars
        try:
            value = value.item()
        except (TypeError, ValueError):
            return value
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, int) and name.startswith("datetime64"):
            return None  # NumPy's NaT as an integer
    return value


__all__ = ["ALERT_KINDS", "CHANNELS", "COLUMNS", "KINDS", "MEASURES", "MODES", "UNITS", "area",
           "field", "fmt", "kind", "label"]
