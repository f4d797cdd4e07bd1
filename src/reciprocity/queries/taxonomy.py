"""What ``reciprocity taxonomy`` reports: the areas, the crosswalks and, given a store, how
the flows in it are placed (what is unmapped is listed with counts, never hidden); and which
sources can place evidence in each area."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from typing import TYPE_CHECKING, Any

from reciprocity import channels as channels_mod
from reciprocity import taxonomy

if TYPE_CHECKING:
    from reciprocity.store.db import Store


def describe() -> dict[str, Any]:
    """The areas, the critical-technology lists and the size of each crosswalk."""
    return {
        "areas": [asdict(a) | {"critical_technologies": list(a.critical_technologies)}
                  for a in taxonomy.areas().values()],
        "critical_technology_lists": taxonomy.critical_technology_lists(),
        "crosswalks": {name: {"rows": len(frame),
                              "file": f"src/reciprocity/taxonomy/{name}.csv"}
                       for name, frame in taxonomy.crosswalk_tables().items()},
    }


def coverage(store: Store, vintage: str | None = None) -> dict[str, Any]:
    """Flows of the active vintages by channel, unit and area, and what is unmapped.

    ``magnitude`` is the sum over every year for ``sum`` units only; ``snapshot`` and
    ``index`` units are never added up (``magnitude`` null), and every row gives its
    ``aggregation`` and the ``first_year``/``last_year``/``years`` with data.
    """
    af = store.active_flows_sql(vintage)
    by_area = store.query(af + """
        SELECT channel, unit, coalesce(area, '') AS area, count(*) AS flows,
               sum(magnitude) AS magnitude, min(year) AS first_year, max(year) AS last_year,
               count(DISTINCT year) AS years
        FROM af GROUP BY ALL ORDER BY channel, unit, area""")
    additive = by_area["unit"].map(channels_mod.is_additive).astype(bool)
    by_area["magnitude"] = by_area["magnitude"].astype(object).where(additive, None)
    by_area.insert(3, "aggregation", by_area["unit"].map(channels_mod.aggregation))
    arms = store.query(af + """
        SELECT count(*) AS flows, count(area) AS mapped FROM af WHERE channel = 'arms'""")
    unmapped_sipri = store.query(af + """
        SELECT r.description, count(*) AS flows
        FROM af JOIN sipri_transfers r USING (vintage_id, record_id)
        WHERE af.channel = 'arms' AND af.area IS NULL
        GROUP BY ALL ORDER BY flows DESC, description""")
    total, mapped = int(arms.at[0, "flows"]), int(arms.at[0, "mapped"])
    return {
        "flows_by_area": [{k: (None if v is None or v != v else v.item()
                               if hasattr(v, "item") else v) for k, v in r.items()}
                          for r in by_area.to_dict("records")],
        "sipri_area_coverage": {"flows": total, "mapped": mapped,
                                "unmapped": total - mapped,
                                "share_mapped": (mapped / total) if total else None},
        "unmapped_sipri_descriptions": [
            {"description": r["description"], "flows": int(r["flows"])}
            for r in unmapped_sipri.to_dict("records")],
    }


@cache
def evidence_sources() -> dict[str, list[str]]:
    """Area → the sources whose crosswalks can place technology evidence in it, each as
    ``"<source> (<what>)"``: OECD STI patent fields, PatentsView CPC classes, OpenAlex
    fields and NCSES citation fields. For the message "no evidence loaded for X: ingest …"."""
    from reciprocity.sources import ncses  # its citation fields' areas live in ncses.yaml

    found: dict[str, dict[str, list[str]]] = {}

    def add(area: str | None, source: str, item: str) -> None:
        if area:
            found.setdefault(area, {}).setdefault(source, []).append(item)

    for code, spec in taxonomy.oecd_patent_fields().items():
        add(spec["area"], "oecd_sti", f"IP5 patent families, {code}")
    for r in taxonomy.crosswalk_rows("cpc_areas"):
        add(taxonomy.check_area(r["area"]), "patentsview", f"CPC {r['prefix']}")
    for r in taxonomy.crosswalk_rows("wipo_fields"):
        add(taxonomy.check_area(r["area"]), "patentsview", f"WIPO field {r['field']}")
    for r in taxonomy.crosswalk_rows("openalex_fields"):
        add(taxonomy.check_area(r["area"]), "openalex", f"{r['level']} {r['id']}")
    for table, spec in ncses.quirks().get("tables", {}).items():
        if isinstance(spec, dict):
            add(spec.get("area"), "ncses", f"table {table}")
    order = ("oecd_sti", "patentsview", "openalex", "ncses")
    return {area: [f"{src} ({', '.join(items[:3])}{', …' if len(items) > 3 else ''})"
                   for src in order if (items := by.get(src))]
            for area, by in found.items()}
