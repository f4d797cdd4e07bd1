"""What the assessment reads from the store: small frames from the active vintages.

The only module of :mod:`reciprocity.assess` that touches the store; everything else is
pure functions of these frames.
"""

from __future__ import annotations

import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity.queries.common import credits_for, span_filter
from reciprocity.store.db import Store

PANEL_COLUMNS = ["measure", "country", "area", "year", "period", "value", "unit", "dataset"]
#: Extra panel columns of the measure ``patent_families`` (null for the others): the OECD
#: field, and the denominators of OECD's RTA (:func:`patent_family_panel`).
REFERENCE_COLUMNS = ("field", "ref_total", "ref_world", "ref_world_total")


def has_table(store: Store, name: str) -> bool:
    row = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    return bool(row and row[0])


def credits(store: Store, datasets: list[str] | set[str]) -> list[str]:
    """Credit lines of the datasets (``datasets.credit``), in a stable order."""
    return credits_for(store, sorted({d for d in datasets if d}))


def pair_records(store: Store, a: str, b: str, *, since: int | None = None,
                 until: int | None = None, vintage: str | None = None) -> pd.DataFrame:
    """Every flow row between A and B: ``channel, unit, direction, year, magnitude, dataset,
    vintage_id, record_id, unit_id``.

    ``direction`` is ``ab`` (A→B) or ``ba`` (B→A); undirected channels store each pair once,
    so their rows are ``joint``. ``unit_id`` is the flow's sampling unit
    (:func:`sampling_units`).
    """
    where, params = span_filter(since, until)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT channel, unit, CASE WHEN origin = ? THEN 'ab' ELSE 'ba' END AS direction,
               year, magnitude, dataset, vintage_id, record_id
        FROM af WHERE ((origin = ? AND destination = ?) OR (origin = ? AND destination = ?))
        {where} ORDER BY channel, unit, year, direction, vintage_id, record_id"""
    frame = store.query(sql, [a, a, b, b, a, *params])
    undirected = ~frame["channel"].map(channels_mod.is_directed).astype(bool)
    frame.loc[undirected, "direction"] = "joint"
    frame["unit_id"] = sampling_units(store, frame)
    return frame


def country_flows(store: Store, country: str, *, since: int | None = None,
                  until: int | None = None, vintage: str | None = None) -> pd.DataFrame:
    """Every flow of ``country`` with another party, summed per channel, unit, partner,
    direction (``ab``: from the country; ``ba``: to it), year and dataset."""
    where, params = span_filter(since, until)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT channel, unit, CASE WHEN origin = ? THEN destination ELSE origin END AS partner,
               CASE WHEN origin = ? THEN 'ab' ELSE 'ba' END AS direction, year,
               sum(magnitude) AS magnitude, dataset
        FROM af WHERE (origin = ? OR destination = ?) AND origin <> destination {where}
        GROUP BY ALL ORDER BY channel, unit, partner, direction, year"""
    return store.query(sql, [country, country, country, country, *params])


def pair_channels(store: Store, a: str, b: str, vintage: str | None = None) -> list[str]:
    """The channels in which A and B have flows (either way), in name order."""
    sql = store.active_flows_sql(vintage) + """
        SELECT DISTINCT channel FROM af
        WHERE (origin = ? AND destination = ?) OR (origin = ? AND destination = ?)
        ORDER BY channel"""
    return [str(c) for c in store.query(sql, [a, b, b, a])["channel"]]


def sampling_units(store: Store, flows: pd.DataFrame) -> pd.Series:
    """The sampling unit of each flow (``dataset``, ``vintage_id``, ``record_id`` columns).

    A source declares its unit as ``sampling_unit``: an SQL expression over its record
    table (default ``record_id``: one record, e.g. a ledger transfer or an OpenAlex work;
    SIPRI: the deal, which the per-delivery-year export spreads over several rows sharing a
    ``deal_id``), or None when its records are not a sample (published indices, sums over
    items not kept): those flows get no unit (None) and so no interval. Flows of a dataset no
    registered source reads count one unit per record. The id is ``dataset|vintage|unit``.
    """
    from reciprocity.errors import NotFoundError
    from reciprocity.queries import catalog

    units = pd.Series(None, index=flows.index, dtype=object)
    for dataset, sub in flows.groupby("dataset", sort=True):
        try:
            source = catalog.for_dataset(str(dataset))
            expr = getattr(source, "sampling_unit", "record_id")
            table = source.record_table.name
        except NotFoundError:
            expr, table = "record_id", None
        if expr is None:
            continue
        ids = sub["record_id"].astype("int64").astype(str)
        if expr != "record_id" and table is not None:
            found = store.query(f"""
                SELECT vintage_id, record_id, {expr} AS unit FROM {table}
                WHERE vintage_id IN (SELECT unnest(?::VARCHAR[]))
                AND record_id IN (SELECT unnest(?::BIGINT[]))""",
                [sorted(set(sub["vintage_id"])), sorted(set(sub["record_id"].astype(int)))])
            key = dict(zip(zip(found["vintage_id"], found["record_id"].astype(int), strict=True),
                           found["unit"], strict=True))
            ids = pd.Series([key.get((v, int(r)), f"record {r}") for v, r in
                             zip(sub["vintage_id"], sub["record_id"], strict=True)],
                            index=sub.index)
        else:
            ids = "record " + ids
        units[sub.index] = dataset + "|" + sub["vintage_id"] + "|" + ids
    return units


def channel_network(store: Store, channel: str, unit: str, *, since: int | None = None,
                    until: int | None = None, vintage: str | None = None) -> pd.DataFrame:
    """The channel's flows between all countries in one unit, summed: origin, destination,
    magnitude (self-flows excluded)."""
    where, params = span_filter(since, until, channel)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT origin, destination, sum(magnitude) AS magnitude FROM af
        WHERE unit = ? AND origin <> destination {where} GROUP BY ALL"""
    return store.query(sql, [unit, *params])


def last_year(store: Store, channel: str, unit: str | None = None,
              vintage: str | None = None) -> int | None:
    """The latest year with a flow in the channel (and unit)."""
    sql = store.active_flows_sql(vintage) + "SELECT max(year) FROM af WHERE channel = ?"
    params: list = [channel]
    if unit is not None:
        sql += " AND unit = ?"
        params.append(unit)
    row = store.con.execute(sql, params).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def year_span(store: Store, channel: str, unit: str, datasets: list[str],
              vintage: str | None = None) -> tuple[int, int] | None:
    """(first, last) year of the channel's flows in ``unit`` from ``datasets`` (active
    vintages), over every pair: the years those sources measure."""
    marks = ", ".join("?" for _ in datasets)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT min(year), max(year) FROM af
        WHERE channel = ? AND unit = ? AND dataset IN ({marks})"""
    row = store.con.execute(sql, [channel, unit, *datasets]).fetchone()
    return (int(row[0]), int(row[1])) if row and row[0] is not None else None


def inflows(store: Store, country: str, channel: str, *, since: int | None = None,
            until: int | None = None, vintage: str | None = None) -> pd.DataFrame:
    """Flows into ``country`` in ``channel``: partner, unit, area, year, magnitude, dataset."""
    where, params = span_filter(since, until, channel)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT origin AS partner, unit, area, year, sum(magnitude) AS magnitude, dataset
        FROM af WHERE destination = ? AND origin <> destination {where} GROUP BY ALL"""
    return store.query(sql, [country, *params])


def area_inflows(store: Store, country: str, *, vintage: str | None = None) -> pd.DataFrame:
    """Flows into ``country`` with an area, in every directed channel: channel, unit, area,
    partner, year, magnitude (summed per year; index units averaged), dataset."""
    directed = [c.name for c in channels_mod.CHANNELS.values() if c.directed]
    marks = ", ".join("?" for _ in directed)
    sql = store.active_flows_sql(vintage) + f"""
        SELECT channel, unit, area, origin AS partner, year, sum(magnitude) AS total,
               avg(magnitude) AS mean, dataset
        FROM af WHERE destination = ? AND origin <> destination AND area IS NOT NULL
        AND channel IN ({marks}) GROUP BY ALL"""
    frame = store.query(sql, [country, *directed])
    additive = frame["unit"].map(channels_mod.is_additive).astype(bool)
    frame["magnitude"] = frame["total"].where(additive, frame["mean"])
    return frame.drop(columns=["total", "mean"])


def capability_panel(store: Store, vintage: str | None = None) -> pd.DataFrame:
    """Output measures of every country by area and year (or period): the capability panel.

    - ``arms_exports``: SIPRI deliveries by supplier (million TIV) of the supplier's own
      designs (no stated design country, or the supplier's);
    - ``licensed_production``: SIPRI deliveries produced under licence of a foreign design
      (the stated design country, else the licensor, is not the producer), by the producing
      (recipient) country: a production base, never a technological strength;
    - ``foreign_design_exports``: SIPRI deliveries by a supplier of another country's stated
      design: a production base too;
    - ``patent_families``: OECD STI IP5 patent families by inventor country, technology field
      (placed by ``taxonomy/oecd_patent_fields.csv``) and priority year, with the reference
      columns of OECD's RTA (:data:`REFERENCE_COLUMNS`);
    - ``patents``: PatentsView fractional patent counts by inventor country and period;
    - ``publications``: OpenAlex works by author country (whole counts);
    - ``citation_impact``: NCSES relative citation index of the country's articles in a field,
      averaged over the citing countries (an index: 1 = cited as its share predicts).
    """
    prefix = store.active_flows_sql(vintage)
    parts = [store.query(prefix + """
        SELECT 'arms_exports' AS measure, origin AS country, area, year, NULL AS period,
               sum(magnitude) AS value, unit, dataset
        FROM af WHERE channel = 'arms' AND unit = 'tiv_millions'
        AND coalesce(design_origin, origin) = origin GROUP BY ALL"""),
             store.query(prefix + """
        SELECT 'foreign_design_exports' AS measure, origin AS country, area, year,
               NULL AS period, sum(magnitude) AS value, unit, dataset
        FROM af WHERE channel = 'arms' AND unit = 'tiv_millions'
        AND coalesce(design_origin, origin) <> origin GROUP BY ALL"""),
             store.query(prefix + """
        SELECT 'licensed_production' AS measure, destination AS country, area, year,
               NULL AS period, sum(magnitude) AS value, unit, dataset
        FROM af WHERE channel = 'arms' AND unit = 'tiv_millions'
        AND mode = 'licensed_production'
        AND coalesce(design_origin, origin) <> destination GROUP BY ALL"""),
             store.query(prefix + """
        SELECT 'citation_impact' AS measure, origin AS country, area, year, NULL AS period,
               avg(magnitude) AS value, 'relative_citation_index' AS unit, dataset
        FROM af WHERE channel = 'citation' AND starts_with(unit, 'relative_citation_index_')
        AND area IS NOT NULL GROUP BY ALL""")]
    if has_table(store, "patent_country_fields"):
        # areas from CPC classes (patent_country_areas); a vintage ingested before those
        # were computed has only its WIPO fields' areas
        by_area = ("SELECT vintage_id, country, area, period_start, period, patents_fractional "
                   "FROM patent_country_areas" if has_table(store, "patent_country_areas")
                   else "SELECT * FROM patent_country_fields WHERE false")
        parts.append(store.query(prefix + f"""
            , pa AS ({by_area}),
            pf AS (SELECT * FROM patent_country_fields
                   WHERE vintage_id NOT IN (SELECT vintage_id FROM pa))
            SELECT 'patents' AS measure, p.country, p.area, p.period_start AS year,
                   p.period, sum(p.patents_fractional) AS value,
                   'patents_fractional' AS unit, a.dataset
            FROM (SELECT vintage_id, country, area, period_start, period, patents_fractional
                  FROM pa WHERE area IS NOT NULL
                  UNION ALL SELECT vintage_id, country, area, period_start, period,
                  patents_fractional FROM pf WHERE wipo_field IS NOT NULL) p
            JOIN active a USING (vintage_id) GROUP BY ALL"""))
    if has_table(store, "openalex_works"):
        parts.append(store.query(prefix + """
            SELECT 'publications' AS measure, country, area, year, NULL AS period,
                   count(*)::DOUBLE AS value, 'works_whole' AS unit, dataset
            FROM (SELECT unnest(string_split(w.countries, ';')) AS country, w.area,
                         w.publication_year AS year, a.dataset
                  FROM openalex_works w JOIN active a USING (vintage_id)
                  WHERE w.role = 'work' AND w.placed AND w.countries IS NOT NULL
                  AND w.publication_year IS NOT NULL)
            GROUP BY ALL"""))
    parts.append(patent_family_panel(store, vintage))
    parts = [p.astype({"period": object}) for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.loc[:, PANEL_COLUMNS + [c for c in REFERENCE_COLUMNS if c in frame]]
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype(float)
    return frame


def patent_family_panel(store: Store, vintage: str | None = None) -> pd.DataFrame:
    """OECD STI IP5 patent families (``indicators`` rows ``oecd.ip5_families.<field>``) as
    panel rows of the measure ``patent_families``: one per country, field with an area, and
    priority year, with OECD's reference values for the revealed technological advantage:

    - ``ref_total``: the country's families in all technologies (``_T``) that year;
    - ``ref_world``: the world's families in the field that year (OECD's ``W``, else the sum
      over countries);
    - ``ref_world_total``: the world's families in all technologies that year (``W`` of
      ``_T``, else the sum over countries).

    A country with a total but no value in a field counts 0 there. Fields overlap (AI is
    within ICT) and are never added; each is set against the all-technology totals.
    """
    from reciprocity import taxonomy
    from reciprocity.sources import oecd_sti

    prefix = oecd_sti.quirks()["indicator_prefix"]
    sql = store.active_indicators_sql(vintage) + """
        SELECT indicator, country, is_aggregate, year, value, dataset FROM ai
        WHERE starts_with(indicator, ?)"""
    rows = store.query(sql, [prefix])
    columns = PANEL_COLUMNS + list(REFERENCE_COLUMNS)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows["field"] = rows["indicator"].str.slice(len(prefix))
    world_code = oecd_sti.quirks()["world"]
    world = rows[rows["is_aggregate"] & (rows["country"] == world_code)]
    nations = rows[~rows["is_aggregate"]]
    totals = nations[nations["field"] == "_T"].set_index(["country", "year"])["value"]
    summed = nations.groupby(["field", "year"])["value"].sum()
    world_by = world.set_index(["field", "year"])["value"]
    world_by = summed.to_frame("sum").join(world_by.rename("w"), how="left")
    world_by = world_by["w"].fillna(world_by["sum"])
    fields = {f: taxonomy.area_for_oecd_field(f) for f in nations["field"].unique()}
    placed = nations[nations["field"].map(lambda f: fields.get(f) is not None)]
    if placed.empty:
        return pd.DataFrame(columns=columns)
    # every country-year with a total gets every placed field (0 where the file has none)
    grid = totals.rename("ref_total").reset_index().merge(
        pd.DataFrame({"field": sorted(placed["field"].unique())}), how="cross")
    grid = grid.merge(placed[["country", "year", "field", "value", "dataset"]],
                      on=["country", "year", "field"], how="outer")
    grid["value"] = grid["value"].fillna(0.0)
    datasets = placed.groupby("field")["dataset"].first()
    grid["dataset"] = grid["dataset"].fillna(grid["field"].map(datasets))
    grid["ref_world"] = [world_by.get((f, y), float("nan"))
                         for f, y in zip(grid["field"], grid["year"], strict=True)]
    grid["ref_world_total"] = [world_by.get(("_T", y), float("nan")) for y in grid["year"]]
    grid["area"] = grid["field"].map(fields)
    grid["measure"] = "patent_families"
    grid["period"] = None
    grid["unit"] = oecd_sti.UNIT
    return grid.loc[:, columns]
