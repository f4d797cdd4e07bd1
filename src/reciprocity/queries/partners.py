"""All of one country's partners in a channel, ranked by two-way index and volume."""

from __future__ import annotations

import pandas as pd

from reciprocity import channels as channels_mod
from reciprocity import countries
from reciprocity.errors import InputError, NotFoundError
from reciprocity.metrics.twoway import INDEX_KEYS, add_indices
from reciprocity.queries.common import span_filter
from reciprocity.store.db import Store

SORTS = ("gl_index", "volume")


def partners(store: Store, a: str, *, channel: str = "arms", since: int | None = None,
             until: int | None = None, vintage: str | None = None,
             sort: str = "gl_index", area: str | None = None,
             unit: str | None = None, allies_only: bool = False) -> pd.DataFrame:
    """One row per partner: ``flow_ab`` (A→partner), ``flow_ba`` (partner→A) and measures.

    Ranked by two-way index (highest first, undefined last) and then by two-way volume;
    ``sort="volume"`` ranks by volume first. One unit per ranking: ``unit``, or the
    channel's first unit present. ``sum`` units are totals over the span; ``snapshot`` and
    ``index`` units are never added up: each partner's values are those of its latest year
    with data in the span, given in ``year``. ``allies_only`` keeps the partners allied
    with A (ATOP, any obligation) in the span's last year: ``until``, else the latest year
    ATOP covers (:func:`reciprocity.queries.alliance.allies_of`).
    """
    country = countries.resolve(a)
    chan = channels_mod.get(channel)
    if sort not in SORTS:
        raise InputError(f"--sort must be one of {list(SORTS)}; found {sort!r}")
    where, params = span_filter(since, until, channel, area=area)
    if unit is not None:
        where, params = where + " AND unit = ?", [*params, unit]
    sql = store.active_flows_sql(vintage) + f"""
        SELECT CASE WHEN origin = ? THEN destination ELSE origin END AS partner, unit, year,
               sum(CASE WHEN origin = ? THEN magnitude ELSE 0 END) AS flow_ab,
               sum(CASE WHEN destination = ? THEN magnitude ELSE 0 END) AS flow_ba
        FROM af WHERE (origin = ? OR destination = ?) {where}
        GROUP BY ALL"""
    c = country.code
    frame = store.query(sql, [c, c, c, c, c, *params])
    if len(frame) and unit is None:
        present = set(frame["unit"])
        unit = next((u for u in chan.units if u in present), min(present))
        frame = frame[frame["unit"] == unit]
    if unit is None or channels_mod.is_additive(unit):
        frame = frame.groupby(["partner", "unit"], as_index=False)[["flow_ab", "flow_ba"]].sum()
    else:  # the latest year with data of each partner, never a sum or mean over years
        frame = (frame.sort_values(["partner", "year"]).groupby("partner", as_index=False)
                 .tail(1).loc[:, ["partner", "unit", "year", "flow_ab", "flow_ba"]]
                 .astype({"year": "Int64"}))
    if not chan.directed:
        frame["flow_ab"] = frame["flow_ba"] = frame["flow_ab"] + frame["flow_ba"]
    frame = add_indices(frame)
    if not chan.directed:
        frame[list(INDEX_KEYS)] = float("nan")
    if allies_only:
        from reciprocity.queries.alliance import allies_of

        allies = allies_of(store, a, year=until, vintage=vintage)
        if allies is None:
            raise NotFoundError("--allies-only needs the ATOP alliance data, and the store has "
                                "none: reciprocity ingest atop atop-member-level.csv")
        frame = frame[frame["partner"].isin(allies)]
    frame.insert(1, "partner_name", frame["partner"].map(countries.name_of))
    frame["volume"] = frame["flow_ab"] + (frame["flow_ba"] if chan.directed else 0)
    keys = ["gl_index", "volume"] if sort == "gl_index" else ["volume", "gl_index"]
    frame = frame.sort_values(keys, ascending=False, na_position="last", kind="stable")
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.reset_index(drop=True)
