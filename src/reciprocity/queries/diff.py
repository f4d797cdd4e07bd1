"""What changed between two vintages of a dataset: records added, removed and changed.

SIPRI rewrites its whole database every spring and keeps no history, and its classic export
has no deal id, so records are matched on the source's ``record_key`` (supplier, recipient,
order year, designation): identical rows first, then the rest pairwise within
each key; what is left is added or removed.
"""

from __future__ import annotations

import pandas as pd

from reciprocity.errors import InputError, NotFoundError
from reciprocity.sources import registry
from reciprocity.store.db import Store

IGNORED = {"vintage_id", "record_id", "source_file", "line", "supplier", "recipient"}


def diff(store: Store, dataset: str, *, from_vintage: str | None = None,
         to_vintage: str | None = None) -> pd.DataFrame:
    """Rows ``change`` (added/removed/changed), the key, record ids and changed columns.

    By default compares the newest vintage with the one before it (by the publisher's date).
    """
    source = _source(dataset)
    table = source.record_table
    # A source name or its dataset id; or one part of a dataset published in parts
    # (e.g. world_bank_wdi:BM.GSR.ROYL.CD), each part with its own vintages.
    ds = dataset if dataset.startswith(source.info.dataset + ":") else source.info.dataset
    known = store.vintages(ds)
    if known.empty:
        parts = sorted({d for d in store.vintages()["dataset"] if d.startswith(ds + ":")})
        if parts:
            raise InputError(f"{ds} is published in parts; name one of them: {parts}")
    if len(known) < 2 and (from_vintage is None or to_vintage is None):
        raise NotFoundError(f"{ds} has {len(known)} vintage(s); a diff needs "
                            "two (ingest an older or newer export of the same source)")
    # Defaults compare complete vintages (partial extracts only when named), and undated
    # vintages count as older than dated ones, as in the default vintage choice.
    complete = known[known["is_complete"]]
    if len(complete) >= 2 and to_vintage is None:
        known = complete
    ordered = list(known.sort_values(["generated_at", "ingested_at"],
                                     na_position="first")["vintage_id"])
    new = store.resolve_vintage(to_vintage) if to_vintage else ordered[-1]
    if from_vintage:
        old = store.resolve_vintage(from_vintage)
    else:
        earlier = ordered[:ordered.index(new)]
        # an export of another layout (SIPRI's classic and per-year ones) is compared only
        # when named: its rows are not the same kind of record
        layout = dict(zip(known["vintage_id"], known["layout"], strict=True))
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
    a = store.query(f"SELECT * FROM {table.name} WHERE vintage_id = ?", [old])
    b = store.query(f"SELECT * FROM {table.name} WHERE vintage_id = ?", [new])
    key = list(source.record_key)
    if a["deal_id"].notna().all() and b["deal_id"].notna().all() if "deal_id" in a else False:
        key = ["deal_id", "delivery_years"]
    compare = [c for c in table.columns if c not in IGNORED]
    out = compare_records(a, b, key, compare)
    out.attrs.update({"from": old, "to": new, "dataset": ds})
    return out


def _source(dataset: str):
    try:
        return registry.get(dataset)
    except NotFoundError:
        return registry.for_dataset(dataset)


def _fingerprint(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return pd.util.hash_pandas_object(frame[columns].astype(str), index=False)


def compare_records(old: pd.DataFrame, new: pd.DataFrame, key: list[str],
                    compare: list[str]) -> pd.DataFrame:
    """Match two record sets; list what was added, removed or changed (with the columns)."""
    old = old.assign(_fp=_fingerprint(old, compare).to_numpy(),
                     _k=_fingerprint(old, key).to_numpy()).sort_values("record_id")
    new = new.assign(_fp=_fingerprint(new, compare).to_numpy(),
                     _k=_fingerprint(new, key).to_numpy()).sort_values("record_id")
    # identical rows (as a multiset) are unchanged
    old["_n"] = old.groupby("_fp").cumcount()
    new["_n"] = new.groupby("_fp").cumcount()
    same = old.merge(new[["_fp", "_n"]], on=["_fp", "_n"], how="left", indicator=True)
    old_left = old[(same["_merge"] == "left_only").to_numpy()]
    same_new = new.merge(old[["_fp", "_n"]], on=["_fp", "_n"], how="left", indicator=True)
    new_left = new[(same_new["_merge"] == "left_only").to_numpy()]
    # the rest: pair within each key in file order
    old_left = old_left.assign(_i=old_left.groupby("_k").cumcount())
    new_left = new_left.assign(_i=new_left.groupby("_k").cumcount())
    both = old_left.merge(new_left, on=["_k", "_i"], how="outer", suffixes=("_from", "_to"),
                          indicator=True)
    rows = []
    for r in both.to_dict("records"):
        kind = {"both": "changed", "left_only": "removed", "right_only": "added"}[r["_merge"]]
        side = "_from" if kind == "removed" else "_to"
        row = {"change": kind}
        for k in key:
            row[k] = r[k + side]
        row["record_id_from"] = r.get("record_id_from")
        row["record_id_to"] = r.get("record_id_to")
        changes = []
        if kind == "changed":
            for c in compare:
                if c in key:
                    continue
                x, y = r[c + "_from"], r[c + "_to"]
                if not (_missing(x) and _missing(y)) and str(x) != str(y):
                    changes.append(f"{c}: {_fmt(x)} → {_fmt(y)}")
        row["changes"] = "; ".join(changes)
        rows.append(row)
    cols = ["change", *key, "record_id_from", "record_id_to", "changes"]
    out = pd.DataFrame(rows, columns=cols)
    order = {"added": 0, "removed": 1, "changed": 2}
    out = out.sort_values(by=["change", *key[:2]], key=lambda s: s.map(order) if s.name ==
                          "change" else s, kind="stable")
    for c in ("record_id_from", "record_id_to"):
        out[c] = out[c].astype("Int64")
    for k in key:
        if k in old.columns and pd.api.types.is_integer_dtype(old[k].dtype):
            out[k] = out[k].astype("Int64")
    return out.reset_index(drop=True)


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and x != x)


def _fmt(x: object) -> str:
    return "∅" if _missing(x) else repr(x) if isinstance(x, str) else str(x)
