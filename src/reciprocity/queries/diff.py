"""What changed between two vintages of a dataset: a summary first, then the records.

SIPRI rewrites its whole database every spring and keeps no history, and its classic export
has no deal id, so records are matched on the source's ``record_key`` (for SIPRI: supplier,
recipient, order year, designation), with designations compared without case, spaces or
punctuation (``A330`` and ``A-330`` are one deal whose spelling changed). Identical rows are
paired first; the rest are paired within each key in a stated, deterministic order (see
:data:`PAIR_ORDER`); what is left over is added or removed. Where both vintages carry a deal
id (SIPRI's per-delivery-year export), records are matched on the deal and its delivery year.

The matching, the counts and the listed changes are one DuckDB statement over the two
vintages' record tables; the totals (what the revision did to each supplier's and recipient's
flows, and to a chosen pair's) are a second, over the two vintages' flows, per channel and
unit, additive units only. Each change carries what its record adds to the flows before and
after (``flow_from``, ``flow_to``, ``flow_change``, in ``unit``: for SIPRI the TIV delivered),
and changes are listed largest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reciprocity import channels, countries
from reciprocity.errors import InputError, NotFoundError
from reciprocity.metrics.twoway import clean
from reciprocity.queries import catalog
from reciprocity.queries.common import Pair, credits_for
from reciprocity.store.db import Store

IGNORED = {"vintage_id", "record_id", "source_file", "line", "supplier", "recipient"}
"""Columns never compared: where a record sits in its file, and names the codes stand for."""
NORMALISED = {"designation"}
"""Key columns compared without case, spaces or punctuation."""
PAIR_ORDER = ("number_ordered", "tiv_total_order", "tiv_delivered", "designation")
"""When several records of one vintage share a key, they are paired in this order (the
columns the table has, nulls last), then by record id (their line in the file)."""
PARTIES = (("supplier_code", "recipient_code"), ("origin", "destination"))
"""Columns naming who sends and who receives, for ``pair`` and ``country``."""
KINDS = ("added", "removed", "changed")
DEFAULT_LIMIT = 50
TOP = 10
RECORD_VALUE = {"sipri_transfers": "tiv_delivered"}
"""Record tables whose column holds what a record adds to the flows (for SIPRI: the TIV
delivered, which the flows split over the delivery years); other tables' records are
valued by summing their flows."""
GROUPS = ("tiv", "numbers", "years", "designation_spelling", "other")
"""Kinds of change of a changed record: each changed column falls in one (see _group)."""


def _group(column: str, spelling: bool) -> str:
    if column == "designation" and spelling:
        return "designation_spelling"
    if column.startswith("tiv"):
        return "tiv"
    if column.startswith("number"):
        return "numbers"
    if "year" in column:
        return "years"
    return "other"


@dataclass
class Diff:
    """Two vintages compared: counts, changed fields, totals and the changes listed.

    ``changes`` lists the first ``limit`` changes of the selection (``pair``/``country``;
    all of them when ``limit`` is 0), the largest effect on the flows first; ``total`` counts
    them all.
    """

    dataset: str
    from_vintage: str
    to_vintage: str
    key: list[str]
    matching: str
    changes: pd.DataFrame
    total: int
    limit: int
    counts: dict[str, int]
    fields: dict[str, int]
    groups: dict[str, int]
    shared_keys: int
    totals: list[dict[str, Any]]
    pair: tuple[str, str] | None = None
    country: str | None = None
    credits: list[str] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many changes are counted but not listed."""
        return self.total - len(self.changes)

    def frame(self) -> pd.DataFrame:
        """The listed changes as one frame, with the summary in ``attrs``."""
        out = self.changes.copy()
        out.attrs.update({"from": self.from_vintage, "to": self.to_vintage,
                          "dataset": self.dataset, "summary": self.summary()})
        return out

    def summary(self) -> dict[str, Any]:
        """Counts by kind, the changed fields, the totals; how records were matched."""
        return {"counts": dict(self.counts), "changed_fields": dict(self.fields),
                "change_kinds": dict(self.groups), "shared_keys": self.shared_keys,
                "matching": self.matching, "totals": self.totals}

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``reciprocity diff --format json``."""
        return {"dataset": self.dataset, "from": self.from_vintage, "to": self.to_vintage,
                "selection": {"pair": list(self.pair) if self.pair else None,
                              "country": self.country},
                "summary": self.summary(),
                "listed": len(self.changes), "more": self.more, "limit": self.limit,
                "changes": [{k: clean(v) for k, v in row.items()}
                            for row in self.changes.to_dict("records")],
                "credits": self.credits}


def diff(store: Store, dataset: str, *, from_vintage: str | None = None,
         to_vintage: str | None = None, pair: tuple[str, str] | None = None,
         country: str | None = None) -> pd.DataFrame:
    """Every change: ``change`` (added/removed/changed), the key, record ids, the flows of
    each record (``flow_from``/``flow_to``/``flow_change`` in ``unit``) and what changed.

    By default compares the newest vintage with the one before it (by the publisher's date).
    The summary (:meth:`Diff.summary`) is in ``attrs["summary"]``.
    """
    return compare(store, dataset, from_vintage=from_vintage, to_vintage=to_vintage,
                   pair=pair, country=country, limit=0).frame()


def compare(store: Store, dataset: str, *, from_vintage: str | None = None,
            to_vintage: str | None = None, pair: tuple[str, str] | None = None,
            country: str | None = None, limit: int | None = DEFAULT_LIMIT) -> Diff:
    """Compare two vintages; see the module's docstring for how records are matched.

    Every change of the selection is counted; the first ``limit`` (all with 0 or None), the
    largest effect on the flows first, are listed with their changed values.
    """
    source = _source(dataset)
    table = source.record_table
    ds, old, new = _vintages(store, source, dataset, from_vintage, to_vintage)
    # the columns the store's table has (a store made by an earlier version may lack some)
    present = {d[0] for d in store.con.execute(
        f"SELECT * FROM {table.name} LIMIT 0").description}
    cols = [c for c in table.columns if c in present]
    parties = next((p for p in PARTIES if set(p) <= set(cols)), None)
    codes: list[str] = []
    if (pair is not None or country is not None) and parties is None:
        raise InputError(f"{ds} records name no supplier and recipient; "
                         "--pair and --country do not apply")
    if pair is not None:
        p = Pair.of(*pair)
        codes = [p.a.code, p.b.code]
    ccode = countries.resolve(country).code if country is not None else None
    if limit is not None and limit < 0:
        raise InputError(f"--limit must be 0 (all) or more, not {limit}")

    key = list(source.record_key)
    by_deal = False
    if "deal_id" in cols:
        # (stops at the first record without one: classic exports have none)
        by_deal = store.con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table.name} WHERE vintage_id IN (?, ?) "
            "AND deal_id IS NULL LIMIT 1)", [old, new]).fetchone()[0] == 0
        if by_deal:
            key = ["deal_id", "delivery_years"]
    spelling = not by_deal and bool(NORMALISED & set(key))
    compare_cols = [c for c in cols if c not in IGNORED]
    # the columns whose change is reported: all but the key's (a normalised key column can
    # change its spelling)
    reported = [c for c in compare_cols if c not in key or (c in NORMALISED and spelling)]
    totals, units = _totals(store, old, new, codes, ccode)
    unit = units[0] if len(units) == 1 else None
    group_masks = {g: sum(1 << i for i, c in enumerate(reported) if _group(c, spelling) == g)
                   for g in GROUPS}
    sql, params = _matching_sql(table, key, compare_cols, reported, spelling, unit is not None,
                                parties, codes, ccode, old, new, limit or 0, group_masks)
    frame = store.con.execute(sql, params).df()
    head = frame.iloc[0]
    counts = {k: int(head[f"_n_{k}"]) for k in KINDS}
    fields = {c: int(n) for n, c in sorted(zip(head["_fields"], reported, strict=True),
                                           key=lambda t: -t[0]) if n}
    groups = {g: int(n) for g, n in zip(GROUPS, head["_groups"], strict=True)}
    shared = int(head["_n_shared"])
    listed = frame[frame["change"].notna()]
    listed = _shape(listed[[c for c in listed.columns if not c.startswith("_")]], table, unit)

    order = ", ".join(c for c in PAIR_ORDER if c in cols)
    matching = (f"records matched on {', '.join(key)}"
                + (" (designations compared without case, spaces or punctuation)"
                   if spelling else "")
                + "; identical records first, then the rest within each key"
                + (f", in order of {order} (nulls last) and line" if order else
                   ", in order of line")
                + "; what is left over is added or removed")
    return Diff(dataset=ds, from_vintage=old, to_vintage=new, key=key, matching=matching,
                changes=listed, total=sum(counts.values()), limit=limit or 0, counts=counts,
                fields=fields, groups=groups, shared_keys=shared, totals=totals,
                pair=(codes[0], codes[1]) if codes else None, country=ccode,
                credits=credits_for(store, [ds.split(":")[0]]))


def _vintages(store: Store, source: Any, dataset: str, from_vintage: str | None,
              to_vintage: str | None) -> tuple[str, str, str]:
    # A source name or its dataset id; or one part of a dataset published in parts
    # (e.g. world_bank_wdi:BM.GSR.ROYL.CD), each part with its own vintages.
    ds = dataset if dataset.startswith(source.info.dataset + ":") else source.info.dataset
    # (vintage, complete, layout), oldest first by the publisher's date, undated first
    known = store.con.execute(
        "SELECT vintage_id, is_complete, layout FROM vintages WHERE dataset = ? "
        "ORDER BY generated_at NULLS FIRST, ingested_at NULLS FIRST", [ds]).fetchall()
    if not known:
        parts = sorted(r[0] for r in store.con.execute(
            "SELECT DISTINCT dataset FROM vintages WHERE starts_with(dataset, ?)",
            [ds + ":"]).fetchall())
        if parts:
            raise InputError(f"{ds} is published in parts; name one of them: {parts}")
    if len(known) < 2 and (from_vintage is None or to_vintage is None):
        raise NotFoundError(f"{ds} has {len(known)} vintage(s); a diff needs "
                            "two (ingest an older or newer export of the same source)")
    # Defaults compare complete vintages (partial extracts only when named), and undated
    # vintages count as older than dated ones, as in the default vintage choice.
    complete = [r for r in known if r[1]]
    if len(complete) >= 2 and to_vintage is None:
        known = complete
    ordered = [r[0] for r in known]
    layout = {r[0]: r[2] for r in known}
    new = store.resolve_vintage(to_vintage) if to_vintage else ordered[-1]
    if from_vintage:
        old = store.resolve_vintage(from_vintage)
    else:
        earlier = ordered[:ordered.index(new)]
        # an export of another layout (SIPRI's classic and per-year ones) is compared only
        # when named: its rows are not the same kind of record
        alike = [v for v in earlier if layout.get(v) == layout.get(new)]
        earlier = alike or earlier
        if not earlier:
            raise NotFoundError(f"no vintage older than {new}; pass --from")
        old = earlier[-1]
    if old == new:
        raise InputError(f"--from and --to are the same vintage ({old})")
    for v in (old, new):
        if not v.startswith(ds + "/"):
            raise InputError(f"vintage {v} is not of dataset {ds}")
    return ds, old, new


def _source(dataset: str):
    try:
        return catalog.get(dataset)
    except NotFoundError:
        return catalog.for_dataset(dataset)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(expr: str, sql_type: str) -> str:
    """A value as the change text shows it: strings quoted, ∅ for nothing."""
    t = sql_type.upper()
    if t.startswith("VARCHAR"):
        shown = f"'''' || {expr} || ''''"
    elif t.startswith("BOOL"):
        shown = f"CASE WHEN {expr} THEN 'True' ELSE 'False' END"
    else:
        shown = f"CAST({expr} AS VARCHAR)"
    return f"coalesce({shown}, '∅')"


def _matching_sql(table: Any, key: list[str], compare_cols: list[str], reported: list[str],
                  spelling: bool, with_flows: bool, parties: tuple[str, str] | None,
                  codes: list[str], ccode: str | None, old: str, new: str, limit: int,
                  group_masks: dict[str, int]) -> tuple[str, dict[str, Any]]:
    """One statement: match the two vintages' records, count what changed and list the
    first ``limit`` changes (0: all) with their changed values.

    Most keys hold at most one record a side: those are matched by a plain full join on the
    key, identical when their fingerprints (a hash of every compared column) agree. Only keys
    with several records on a side go through the ordered pairing (identical records first,
    then by :data:`PAIR_ORDER`). Each changed column sets one bit of ``_mask``; the counts
    come back on every row (``_n_*``, ``_fields``, ``_groups``), with one row of nulls when
    nothing changed.
    """
    have = {"record_id", *compare_cols, *key, *(parties or ())}
    types = {f.name: f.type for f in table.fields if f.name in have}
    norm = {k: (f"regexp_replace(lower({_q(k)}), '[^\\p{{L}}\\p{{N}}]+', '', 'g')"
                if k in NORMALISED and spelling else _q(k)) for k in key}
    # Key values joined with '=': a missing value becomes one no real value takes (a NUL
    # character, the smallest integer); types without one are joined null-safe.
    fill = {"VARCHAR": "chr(0)", "INTEGER": "-2147483648", "BIGINT": "-9223372036854775807"}
    ftype = {f.name: f.type.upper() for f in table.fields}
    nullable = {f.name: f.nullable for f in table.fields}
    same = {}
    for i, k in enumerate(key):
        if not nullable.get(k, True):
            same[i] = "="
        elif ftype.get(k) in fill:
            norm[k] = f"coalesce({norm[k]}, {fill[ftype[k]]})"
            same[i] = "="
        else:
            same[i] = "IS NOT DISTINCT FROM"
    ks = [f"_k{i}" for i in range(len(key))]
    needed = ", ".join(_q(c) for c in dict.fromkeys(
        ["record_id", *compare_cols, *key, *(parties or ()),
         *(c for c in PAIR_ORDER if c in types),
         *([RECORD_VALUE[table.name]] if RECORD_VALUE.get(table.name) in types else [])]))
    kp = ", ".join(ks)
    keys_sel = ", ".join(f"{norm[k]} AS {ks[i]}" for i, k in enumerate(key))
    fp = "hash(" + ", ".join(_q(c) for c in compare_cols) + ")"
    extra = [p for p in (parties or ()) if p not in key]
    shown = list(dict.fromkeys([*key, *extra, *(k for k in ("designation",) if k in types)]))
    flag = {c: f"(x.{_q(c)} IS DISTINCT FROM y.{_q(c)})" for c in reported}
    mask = " + ".join(f"(CAST({flag[c]} AS BIGINT) << {i})" for i, c in enumerate(reported))
    fields_expr = ("concat_ws(', ', " + ", ".join(
        f"CASE WHEN {flag[c]} THEN '{c}' END" for c in reported) + ")") if reported else "''"
    text_expr = ("concat_ws('; ', " + ", ".join(
        f"CASE WHEN {flag[c]} THEN '{c}: ' || {_text('x.' + _q(c), types[c])} || ' → ' || "
        f"{_text('y.' + _q(c), types[c])} END" for c in reported) + ")") if reported else "''"
    params: dict[str, Any] = {"old": old, "new": new}
    keep = "TRUE"
    if parties is not None and (codes or ccode):
        s, r = (_q(p) for p in parties)
        sides = []
        for alias in ("x", "y"):
            conds = []
            if codes:
                conds.append(f"(({alias}.{s} = $a AND {alias}.{r} = $b) OR "
                             f"({alias}.{s} = $b AND {alias}.{r} = $a))")
                params.update({"a": codes[0], "b": codes[1]})
            if ccode:
                conds.append(f"({alias}.{s} = $c OR {alias}.{r} = $c)")
                params["c"] = ccode
            sides.append("(" + " AND ".join(conds) + ")")
        keep = " OR ".join(sides)

    value_col = RECORD_VALUE.get(table.name) if with_flows else None
    value_col = value_col if value_col in types else None
    valued = (f", x.{_q(value_col)} AS _vf, y.{_q(value_col)} AS _vt" if value_col else "")

    def matched(shared: str) -> str:
        """The columns of a matched pair ``x`` (older) and ``y`` (newer), either missing."""
        cols = ", ".join(
            f"CASE WHEN y.record_id IS NULL THEN x.{_q(c)} ELSE y.{_q(c)} END AS {_q(c)}"
            for c in shown) + valued
        return (f"CASE WHEN x.record_id IS NULL THEN 'added' WHEN y.record_id IS NULL "
                f"THEN 'removed' ELSE 'changed' END AS change, {cols}, x.record_id AS rf, "
                f"y.record_id AS rt, CASE WHEN x.record_id IS NULL OR y.record_id IS NULL "
                f"THEN 0 ELSE {mask or '0'} END AS _mask, {shared} AS _shared")

    on = " AND ".join(f"x.{k} {same[i]} y.{k}" for i, k in enumerate(ks))
    on_i = " AND ".join(f"o.{k} {same[i]} n.{k}" for i, k in enumerate(ks))
    on_lr = " AND ".join(f"l.{k} {same[i]} r.{k}" for i, k in enumerate(ks))
    order_w = ", ".join([*(f"w.{_q(c)} NULLS LAST" for c in PAIR_ORDER if c in types),
                         "w.record_id"])
    if value_col:
        flows = ""
        value = ("_vf AS flow_from, _vt AS flow_to, "
                 "coalesce(_vt, 0) - coalesce(_vf, 0) AS flow_change")
        joins = ""
    elif with_flows:
        flows = """
     fv AS (SELECT vintage_id = $new AS side, record_id, sum(magnitude) AS v FROM flows
            WHERE vintage_id IN ($old, $new) GROUP BY ALL),"""
        value = ("fo.v AS flow_from, fn.v AS flow_to, "
                 "coalesce(fn.v, 0) - coalesce(fo.v, 0) AS flow_change")
        joins = ("LEFT JOIN fv fo ON NOT fo.side AND fo.record_id = c.rf "
                 "LEFT JOIN fv fn ON fn.side AND fn.record_id = c.rt")
    else:
        flows = ""
        value = ("NULL::DOUBLE AS flow_from, NULL::DOUBLE AS flow_to, "
                 "NULL::DOUBLE AS flow_change")
        joins = ""
    field_sums = ", ".join(f"sum((_mask >> {i}) & 1)" for i in range(len(reported)))
    group_sums = ", ".join(f"count(*) FILTER (WHERE _mask & {group_masks[g]} <> 0)"
                           for g in GROUPS)
    rank = ("abs(flow_change) DESC NULLS LAST, "
            "CASE change WHEN 'added' THEN 0 WHEN 'removed' THEN 1 ELSE 2 END, "
            + ", ".join(_q(c) + " NULLS LAST" for c in shown) + ", rf, rt")
    rank_top = ("abs(top.flow_change) DESC NULLS LAST, "
                "CASE top.change WHEN 'added' THEN 0 WHEN 'removed' THEN 1 ELSE 2 END, "
                + ", ".join(f"top.{_q(c)} NULLS LAST" for c in shown) + ", top.rf, top.rt")
    cut = f"LIMIT {int(limit)}" if limit else ""
    sql = f"""
WITH a AS MATERIALIZED (SELECT {needed}, {keys_sel} FROM {table.name} WHERE vintage_id = $old),
     b AS MATERIALIZED (SELECT {needed}, {keys_sel} FROM {table.name} WHERE vintage_id = $new),
     multi AS MATERIALIZED (
         SELECT {kp} FROM (SELECT {kp}, FALSE AS _side FROM a UNION ALL
                           SELECT {kp}, TRUE AS _side FROM b)
         GROUP BY {kp}
         HAVING count(*) FILTER (WHERE NOT _side) > 1 OR count(*) FILTER (WHERE _side) > 1),
     -- keys with at most one record a side: a plain full join on the key
     -- (identical when no compared column differs)
     s1 AS MATERIALIZED (SELECT {matched("FALSE")}
            FROM (SELECT * FROM a ANTI JOIN multi USING ({kp})) x
            FULL JOIN (SELECT * FROM b ANTI JOIN multi USING ({kp})) y ON {on}
            WHERE {keep}),
     -- keys with several records a side (both sides at once, ``_side`` true for the newer):
     -- identical records first (the same fingerprint, a hash of every compared column),
     -- then the rest in order
     w AS MATERIALIZED (SELECT FALSE AS _side, * FROM a SEMI JOIN multi USING ({kp})
                        UNION ALL SELECT TRUE AS _side, * FROM b SEMI JOIN multi USING ({kp})),
     m1 AS (SELECT *, row_number() OVER (PARTITION BY _side, _fp, {kp} ORDER BY record_id) AS _n
            FROM (SELECT record_id, _side, {kp}, {fp} AS _fp FROM w)),
     lo AS (SELECT l.record_id, l._side FROM m1 l ANTI JOIN m1 r
            ON r._side = NOT l._side AND r._fp = l._fp AND r._n = l._n AND {on_lr}),
     pr AS (SELECT w.record_id, w._side, {", ".join("w." + k for k in ks)}, row_number() OVER (
                PARTITION BY w._side, {", ".join("w." + k for k in ks)} ORDER BY {order_w}) AS _i
            FROM w SEMI JOIN lo ON lo.record_id = w.record_id AND lo._side = w._side),
     s2 AS (SELECT {matched("TRUE")}
            FROM (SELECT * FROM pr WHERE NOT _side) o
            FULL JOIN (SELECT * FROM pr WHERE _side) n ON {on_i} AND o._i = n._i
            LEFT JOIN (SELECT * FROM w WHERE NOT _side) x ON x.record_id = o.record_id
            LEFT JOIN (SELECT * FROM w WHERE _side) y ON y.record_id = n.record_id
            WHERE {keep}),{flows}
     j AS MATERIALIZED (SELECT c.*, {value}
                        FROM (SELECT * FROM s1 WHERE _mask <> 0 OR change <> 'changed'
                              UNION ALL SELECT * FROM s2) c
                        {joins}),
     agg AS (SELECT count(*) FILTER (WHERE change = 'added') AS _n_added,
                    count(*) FILTER (WHERE change = 'removed') AS _n_removed,
                    count(*) FILTER (WHERE change = 'changed') AS _n_changed,
                    count(*) FILTER (WHERE _shared) AS _n_shared,
                    [{field_sums}] AS _fields, [{group_sums}] AS _groups FROM j),
     top AS MATERIALIZED (SELECT * FROM j ORDER BY {rank} {cut}),
     -- (the listed records' full rows: inner joins, so the few listed build the hash table)
     ta AS (SELECT a.* FROM a JOIN top ON a.record_id = top.rf),
     tb AS (SELECT b.* FROM b JOIN top ON b.record_id = top.rt),
     t AS (SELECT top.change, {", ".join("top." + _q(c) for c in shown)},
                  top.rf AS record_id_from, top.rt AS record_id_to,
                  top.flow_from, top.flow_to, top.flow_change,
                  CASE WHEN x.record_id IS NULL OR y.record_id IS NULL THEN ''
                       ELSE {fields_expr} END AS changed_fields,
                  CASE WHEN x.record_id IS NULL OR y.record_id IS NULL THEN ''
                       ELSE {text_expr} END AS changes,
                  row_number() OVER (ORDER BY {rank_top}) AS _rank
           FROM top LEFT JOIN ta x ON x.record_id = top.rf LEFT JOIN tb y ON y.record_id = top.rt)
SELECT t.*, agg.* FROM agg LEFT JOIN t ON TRUE ORDER BY t._rank
"""
    return sql, params


def _shape(changes: pd.DataFrame, table: Any, unit: str | None) -> pd.DataFrame:
    """Integer columns as nullable integers; the flow columns labelled with their unit."""
    types = {f.name: f.type.upper() for f in table.fields}
    for c in ("record_id_from", "record_id_to"):
        changes[c] = changes[c].astype("Int64")
    for c in changes.columns:
        if types.get(c, "").startswith(("INT", "BIGINT")):
            changes[c] = changes[c].astype("Int64")
    changes.insert(changes.columns.get_loc("flow_change") + 1, "unit", unit)
    return changes.reset_index(drop=True)


def _round(x: float) -> float:
    return 0.0 if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)


def _totals(store: Store, old: str, new: str, codes: list[str],
            ccode: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """What the revision did to the flows of each supplier, recipient and the chosen pair,
    per channel and (additive) unit, top movers first; and every unit of the flows.

    One statement over the two vintages' flows returns only the rows shown: the whole, the
    ten largest changes of suppliers and of recipients (with how many changed), the chosen
    country's and the pair's cells.
    """
    rows = store.con.execute(f"""
        WITH c AS MATERIALIZED (
                SELECT channel, unit, origin, destination,
                       coalesce(sum(magnitude) FILTER (WHERE vintage_id = $old), 0) AS before,
                       coalesce(sum(magnitude) FILTER (WHERE vintage_id = $new), 0) AS after
                FROM flows WHERE vintage_id IN ($old, $new) GROUP BY ALL),
             s AS (SELECT channel, unit, 'suppliers' AS side, origin AS code,
                          sum(before) AS before, sum(after) AS after FROM c GROUP BY ALL
                   UNION ALL
                   SELECT channel, unit, 'recipients', destination, sum(before), sum(after)
                   FROM c GROUP BY ALL
                   UNION ALL
                   SELECT channel, unit, 'total', NULL, sum(before), sum(after)
                   FROM c GROUP BY ALL),
             r AS (SELECT *, round(after - before, 6) <> 0 AS moved,
                          row_number() OVER (PARTITION BY channel, unit, side
                                             ORDER BY abs(after - before) DESC, code) AS rank,
                          count(*) FILTER (WHERE round(after - before, 6) <> 0)
                              OVER (PARTITION BY channel, unit, side) AS n_moved
                   FROM s)
        SELECT channel, unit, side, code, NULL AS code_to, before, after, rank, n_moved, moved
        FROM r WHERE side = 'total' OR (moved AND rank <= {TOP}) OR code = $c
        UNION ALL
        SELECT channel, unit, 'pair', origin, destination, before, after, NULL, NULL, NULL
        FROM c WHERE (origin = $a AND destination = $b) OR (origin = $b AND destination = $a)
        ORDER BY channel, unit, side, rank
        """, {"old": old, "new": new, "c": ccode, "a": codes[0] if codes else None,
              "b": codes[1] if codes else None}).fetchall()
    units = sorted({r[1] for r in rows})
    out = []
    for (channel, unit) in sorted({(r[0], r[1]) for r in rows}):
        if not channels.is_additive(unit):
            continue
        mine = [r for r in rows if (r[0], r[1]) == (channel, unit)]
        entry: dict[str, Any] = {"channel": channel, "unit": unit,
                                 "unit_label": channels.UNITS.get(unit, unit),
                                 "total": next(_figures(r[5], r[6]) for r in mine
                                               if r[2] == "total")}
        for side in ("suppliers", "recipients"):
            ranked = [r for r in mine if r[2] == side and r[9] and r[7] <= TOP]
            entry[side] = [{"code": r[3], "name": _name(r[3]), **_figures(r[5], r[6])}
                           for r in ranked]
            entry[side + "_changed"] = int(next((r[8] for r in mine if r[2] == side), 0))
        if codes:
            a, b = codes
            cell = {(r[3], r[4]): _figures(r[5], r[6]) for r in mine if r[2] == "pair"}
            entry["pair"] = {"a": a, "b": b, "a_to_b": cell.get((a, b), _figures(0, 0)),
                             "b_to_a": cell.get((b, a), _figures(0, 0))}
        if ccode:
            own = {r[2]: _figures(r[5], r[6]) for r in mine
                   if r[3] == ccode and r[2] in ("suppliers", "recipients")}
            entry["country"] = {"code": ccode,
                                "as_supplier": own.get("suppliers", _figures(0, 0)),
                                "as_recipient": own.get("recipients", _figures(0, 0))}
        out.append(entry)
    return out, units


def _figures(before: float, after: float) -> dict[str, float]:
    return {"before": _round(before), "after": _round(after), "change": _round(after - before)}


def _name(code: str) -> str:
    found = countries.lookup(code)
    return found.name if found is not None else code
