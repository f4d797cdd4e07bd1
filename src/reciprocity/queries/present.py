"""What the store's active vintages hold, for front ends' controls and briefing parts:
the channels, areas and countries present, a country's flows per partner and year, a pair's
flows by technology area and the vintages behind a pair. Front ends run no SQL of their own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from reciprocity.queries.common import span_filter

if TYPE_CHECKING:
    import pandas as pd

    from reciprocity.store.db import Store


def channels(store: Store) -> list[str]:
    """Channels with at least one flow, sorted."""
    rows = store.con.execute(store.active_flows_sql() + """
        SELECT DISTINCT channel FROM af ORDER BY channel""").fetchall()
    return [c for (c,) in rows]


def areas(store: Store) -> list[str]:
    """Technology areas some flow is placed in, sorted."""
    rows = store.con.execute(store.active_flows_sql() + """
        SELECT DISTINCT area FROM af WHERE area IS NOT NULL AND area <> ''
        ORDER BY area""").fetchall()
    return [a for (a,) in rows]


def country_codes(store: Store) -> list[str]:
    """Codes of the countries with at least one flow (either end)."""
    rows = store.con.execute(store.active_flows_sql() + """
        SELECT DISTINCT c FROM (SELECT origin AS c FROM af UNION SELECT destination FROM af)
    """).fetchall()
    return [c for (c,) in rows]


def partner_years(store: Store, code: str, channel: str, since: int | None,
                  until: int | None) -> dict[tuple[str, str], dict[int, tuple[float, float]]]:
    """Per partner and unit: year → (flow out, flow back) of ``code`` in ``channel``."""
    where, params = span_filter(since, until, channel)
    rows = store.con.execute(store.active_flows_sql() + f"""
        SELECT CASE WHEN origin = ? THEN destination ELSE origin END AS partner, unit, year,
               sum(CASE WHEN origin = ? THEN magnitude ELSE 0 END),
               sum(CASE WHEN destination = ? THEN magnitude ELSE 0 END)
        FROM af WHERE (origin = ? OR destination = ?) {where} GROUP BY ALL""",
        [code, code, code, code, code, *params]).fetchall()
    out: dict[tuple[str, str], dict[int, tuple[float, float]]] = {}
    for partner, unit, year, ab, ba in rows:
        out.setdefault((partner, unit), {})[int(year)] = (float(ab), float(ba))
    return out


def pair_area_flows(store: Store, a: str, b: str, since: int | None,
                    until: int | None) -> pd.DataFrame:
    """A→B and B→A sums by channel, unit and technology area (flows placed in an area)."""
    where, params = span_filter(since, until)
    sql = store.active_flows_sql() + f"""
        SELECT channel, unit, area,
               sum(CASE WHEN origin = ? THEN magnitude ELSE 0 END) AS flow_ab,
               sum(CASE WHEN origin = ? THEN magnitude ELSE 0 END) AS flow_ba
        FROM af WHERE ((origin = ? AND destination = ?) OR (origin = ? AND destination = ?))
          AND area IS NOT NULL AND area <> '' {where}
        GROUP BY ALL ORDER BY channel, unit, area"""
    return store.query(sql, [a, b, a, b, b, a, *params])


def pair_vintages(store: Store, a: str, b: str, since: int | None,
                  until: int | None) -> set[str]:
    """The vintages of the flows between ``a`` and ``b`` (either way) in the span."""
    where, params = span_filter(since, until)
    used = store.query(store.active_flows_sql() + f"""
        SELECT DISTINCT vintage_id FROM af
        WHERE ((origin = ? AND destination = ?) OR (origin = ? AND destination = ?)) {where}""",
        [a, b, b, a, *params])
    return set(used["vintage_id"])


def any_read_in_parts(store: Store, vintage_ids: Iterable[str]) -> bool:
    """Whether any of these vintages was read from an input in parts (``raw_parts``)."""
    ids = sorted(set(vintage_ids))
    if not ids:
        return False
    return store.con.execute(
        "SELECT count(*) FROM vintages WHERE sha256 IN (SELECT sha256 FROM raw_parts) "
        f"AND vintage_id IN ({', '.join('?' * len(ids))})", ids).fetchone()[0] > 0
