"""The patent pipeline, written once in Ibis and run on any backend (DuckDB, Spark).

Inputs are Ibis tables with PatentsView's documented columns, of any type (text from TSV,
typed from Parquet): identifiers are compared as published (empty = missing), numbers are
parsed, country codes and CPC classes are trimmed with the NA markers read as missing. Each
function takes Ibis tables and returns an Ibis expression; :func:`run` materialises the
shared per-patent tables once, executes the small aggregates and returns them as pandas.

Counting rules (docs/patents.md):

- a patent's countries come from its inventors' locations, fractionally: each inventor
  carries ``1 / n_inventors`` of the patent to the country of their location. An inventor with
  no location, a location not in the location table, a location without a country or a code
  that cannot be resolved carries their share to ``UNK`` (counted by reason, never dropped);
- year = grant year (``patent_date``); field = the patent's primary WIPO field (lowest
  ``wipo_field_sequence``), else the WIPO field of its first CPC class (the taxonomy's
  concordance, when ``g_cpc_current`` is given), else null;
- area (docs/taxonomy.md): from all the patent's CPC classes placed directly in an area
  (``cpc_areas.csv``, longest prefix); each distinct CPC symbol so placed votes once and the
  patent's weight 1 is split over its areas in proportion to the votes. A patent without such a
  class takes its WIPO field's area (weight 1), or no area (null, weight 1);
- ``patent_citation`` origin = cited patent's countries, destination = citing patent's, in the
  citing patent's year, field and area, weight ``share_cited × share_citing × area_weight``
  (1 per citation);
- ``coinvention``: for a patent with inventors in several countries, each pair ``i < j`` gets
  ``s_i s_j / Σ_{k<l} s_k s_l`` (1 per patent, split over its country pairs);
- ``patent_ownership``: inventor country → assignee country, weight ``s_inv × s_asg`` where
  assignees share a patent equally (``1 / n_assignees``);
- every flow row and count of one patent carries ``× area_weight``: fractional counts add up
  over areas to the patent's (or citation's) 1; whole counts (``patents``) count a patent or
  citation in each area it falls in;
- domestic weight (origin = destination) is returned too and reported, not stored as a flow.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import ibis.expr.types as ir
import ibis.selectors as selectors
import pandas as pd

UNKNOWN = "UNK"
CHANNELS = ("patent_citation", "coinvention", "patent_ownership")
FLOW_KEYS = ["origin", "destination", "year", "wipo_field", "area"]
STATUSES = ("placed", "no_location", "location_not_found", "no_country", "unknown_code")
DECIMALS = 9  # fractional counts are rounded here so that every engine returns the same numbers

Stage = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    """Counting settings (from ``sources/data/patentsview.yaml``)."""

    na_markers: tuple[str, ...] = ("NULL", "\\N", "NaN", "nan", "None")
    period_length: int = 3
    period_first_year: int = 1976
    rta_floor: float = 500.0


@dataclass
class Result:
    """What the pipeline computed: flows per channel, country-field counts and the counts."""

    flows: dict[str, pd.DataFrame]
    country_fields: pd.DataFrame
    notes: dict[str, float] = field(default_factory=dict)
    country_areas: pd.DataFrame | None = None


# -- reading ---------------------------------------------------------------------------------
def backend_name(con: object) -> str:
    """``duckdb`` or ``pyspark`` (Ibis' name of the backend)."""
    return str(getattr(con, "name", ""))


def load(con: object, files: Mapping[str, Path]) -> dict[str, ir.Table]:
    """Register each table file (``.parquet`` or an unzipped ``.tsv``) with the backend."""
    tables: dict[str, ir.Table] = {}
    spark = backend_name(con) == "pyspark"
    for name, path in files.items():
        if path.suffix == ".parquet":
            tables[name] = con.read_parquet(str(path), table_name=f"pv_{name}")
        elif spark:
            tables[name] = con.read_csv(str(path), table_name=f"pv_{name}", sep="\t",
                                        quote='"', escape='"', header=True, inferSchema=False,
                                        multiLine=True, mode="FAILFAST")
        else:
            tables[name] = con.read_csv(str(path), table_name=f"pv_{name}", delim="\t",
                                        quote='"', escape='"', header=True, all_varchar=True)
    return tables


# -- building blocks -------------------------------------------------------------------------
def text(col: ir.Value, na: Sequence[str]) -> ir.StringValue:
    """A column as trimmed text, with the empty string and the NA markers as null."""
    s = col.cast("string").strip()
    return ibis.cases((s.isin(list(na)) | (s == ""), ibis.null("string")), else_=s)


def key(col: ir.Value) -> ir.StringValue:
    """An identifier (``patent_id``, ``location_id``) as text, empty as null.

    Identifiers are compared as published, without trimming: they are the join keys of
    100-million-row tables, where every per-row function costs.
    """
    return col.cast("string").nullif("")


def number(col: ir.Value) -> ir.FloatingValue:
    """A number written as text (or stored as a number); anything else, and NaN, as null."""
    v = col.cast("float64") if col.type().is_numeric() else col.cast("string").try_cast(
        "float64")
    return ibis.cases((v.isnan(), ibis.null("float64")), else_=v)


def small_table(con: object, name: str, frame: pd.DataFrame, schema: dict[str, str]
                ) -> ir.Table:
    """A small pandas frame as a table of the backend (a temp table, or a Spark view)."""
    mem = ibis.memtable(frame, schema=schema)
    if backend_name(con) == "duckdb":
        return con.create_table(name, mem, temp=True, overwrite=True)
    return con.create_view(name, mem, overwrite=True)


def code_table(con: object, codes: Mapping[str, str]) -> ir.Table:
    """Alpha-2 codes as written in ``disambig_country`` → the project's country codes."""
    frame = pd.DataFrame(sorted(codes.items()), columns=["iso2", "iso3"])
    return small_table(con, "pv_country_codes", frame, {"iso2": "string", "iso3": "string"})


def locations(location: ir.Table, codes: ir.Table, na: Sequence[str]) -> ir.Table:
    """One row per ``location_id``: the raw code and the resolved country (null if unknown)."""
    loc = location.select(loc_key=key(location.location_id),
                          code=text(location.disambig_country, na).upper())
    loc = loc.filter(loc.loc_key.notnull()).group_by("loc_key").agg(code=loc.code.min())
    joined = loc.left_join(codes, loc.code == codes.iso2)
    return joined.select("loc_key", "code", resolved=joined.iso3)


def placed(rows: ir.Table, locs: ir.Table) -> ir.Table:
    """Person rows (``patent_id``, ``location_id``) with their country (``UNK`` if unplaced)."""
    people = rows.select(patent_id=key(rows.patent_id), location_id=key(rows.location_id))
    j = people.left_join(locs, people.location_id == locs.loc_key)
    return j.select("patent_id", country=j.resolved.fill_null(UNKNOWN))


def placement_counts(rows: ir.Table, locs: ir.Table) -> ir.Table:
    """Person rows (``k``) by placement status, and by raw code for the unresolved ones.

    Counted per ``location_id`` first (a few thousand groups, not one per person), then
    placed: the status depends on the location alone.
    """
    ids = rows.select(location_id=key(rows.location_id))
    per = ids.group_by("location_id").agg(k=ids.count())
    j = per.left_join(locs, per.location_id == locs.loc_key)
    status = ibis.cases(
        (j.location_id.isnull(), "no_location"),
        (j.loc_key.isnull(), "location_not_found"),
        (j.code.isnull(), "no_country"),
        (j.resolved.isnull(), "unknown_code"),
        else_="placed",
    )
    j = j.select(k=j.k, status=status,
                 code=ibis.cases((status == "unknown_code", j.code), else_=ibis.null("string")))
    return j.group_by(["status", "code"]).agg(k=j.k.sum())


def shares(people: ir.Table) -> ir.Table:
    """Each patent's country shares: persons in the country (``k``) ÷ persons on the patent.

    Computed straight from the person rows (one grouping, one window), never from an
    intermediate grouping by status: on 100-million-row inputs each pass costs seconds.
    """
    g = people.group_by(["patent_id", "country"]).agg(k=people.count())
    total = g.k.sum().over(ibis.window(group_by="patent_id"))
    return g.select("patent_id", "country", "k", share=g.k.cast("float64") / total)


def patents(patent: ir.Table, wipo: ir.Table) -> ir.Table:
    """Granted, not withdrawn patents with a grant year: ``patent_id, year, wipo_field``."""
    p = patent.select(
        patent_id=key(patent.patent_id),
        year=patent.patent_date.cast("string").substr(0, 4).try_cast("int32"),
        withdrawn=number(patent.withdrawn).fill_null(0) == 1,
    )
    p = p.filter(p.patent_id.notnull() & p.year.notnull() & ~p.withdrawn)
    return p.left_join(primary_fields(wipo), "patent_id").select(
        "patent_id", "year", "wipo_field")


def primary_fields(wipo: ir.Table) -> ir.Table:
    """Each patent's primary WIPO field (1–35): the one with the lowest sequence number.

    Ties (and a missing sequence) are broken by the lower field id, so every engine picks
    the same field.
    """
    w = wipo.select(patent_id=key(wipo.patent_id),
                    seq=number(wipo.wipo_field_sequence), fld=number(wipo.wipo_field_id))
    w = w.filter(w.patent_id.notnull() & w.fld.between(1, 35) & (w.fld == w.fld.floor()))
    rank = w.seq.fill_null(1e6).cast("int64") * 64 + w.fld.cast("int64")
    g = w.mutate(rank=rank).group_by("patent_id").agg(rank=ibis._.rank.min())
    return g.select("patent_id", wipo_field=(g.rank % 64).cast("int32"))


def primary_cpc(cpc: ir.Table, patent_ids: ir.Table, na: Sequence[str]) -> ir.Table:
    """``patent_id, symbol``: the first CPC symbol (lowest ``cpc_sequence``) of the given patents.

    The symbol is the CPC group (``G06F16/00``) or, without one, the subclass (``G06F``).
    """
    c = cpc.select(patent_id=key(cpc.patent_id), seq=cpc.cpc_sequence, grp=cpc.cpc_group,
                   sub=cpc.cpc_subclass).join(patent_ids, "patent_id")
    c = c.select("patent_id", seq=number(c.seq).fill_null(1e6),
                 symbol=ibis.coalesce(text(c.grp, na), text(c.sub, na)))
    c = c.filter(c.symbol.notnull())
    first = c.group_by("patent_id").agg(seq=c.seq.min())
    j = c.join(first, ["patent_id", "seq"])
    return j.group_by("patent_id").agg(symbol=j.symbol.min())


def profile(inventor_shares: ir.Table, universe: ir.Table,
            fallback: ir.Table | None = None) -> ir.Table:
    """``patent_id, country, k, share, year, wipo_field`` for every patent of the universe.

    ``inventor_shares`` comes from :func:`shares`; ``fallback`` (``patent_id, cpc_field``)
    gives the field of patents WIPO leaves without one.
    """
    prof = inventor_shares.join(universe, "patent_id")
    if fallback is None:
        return prof
    j = prof.left_join(fallback, "patent_id")
    return j.select("patent_id", "country", "k", "share", "year",
                    wipo_field=ibis.coalesce(j.wipo_field, j.cpc_field.cast("int32")))


def cpc_symbols(cpc: ir.Table, na: Sequence[str]) -> ir.Table:
    """``patent_id, symbol``: every CPC row's symbol (group, else subclass), all rows of
    ``g_cpc_current`` (not only the first)."""
    c = cpc.select(patent_id=key(cpc.patent_id),
                   symbol=ibis.coalesce(text(cpc.cpc_group, na), text(cpc.cpc_subclass, na)))
    return c.filter(c.patent_id.notnull() & c.symbol.notnull())


def placed_classes(symbols: ir.Table, placed_symbols: ir.Table, patent_ids: ir.Table
                   ) -> ir.Table:
    """``patent_id, symbol, area``: the distinct CPC symbols of the given patents that the
    taxonomy places directly (``placed_symbols``: ``symbol, area``, a small table).

    The join with the small table comes first: it keeps the few percent of rows in a placed
    class, so that making them distinct and matching them to the patents costs little.
    """
    d = symbols.join(placed_symbols, "symbol").distinct()
    return d.semi_join(patent_ids, "patent_id")


def area_votes(placed: ir.Table) -> ir.Table:
    """``patent_id, area, weight, lead``: the CPC route of :func:`area_weights`.

    ``placed`` (:func:`placed_classes`): each placed symbol votes once, the patent's 1 is
    split over its areas in proportion; ``lead`` marks one area per patent (the first by
    name), so that a profile with one row per area still yields one row per patent. A small
    table: only the patents with a placed class.
    """
    votes = placed.group_by(["patent_id", "area"]).agg(votes=placed.count())
    per_patent = ibis.window(group_by="patent_id")
    return votes.select("patent_id", "area",
                        weight=votes.votes.cast("float64") / votes.votes.sum().over(per_patent),
                        lead=votes.area == votes.area.min().over(per_patent))


def area_weights(rows: ir.Table, votes: ir.Table | None, field_areas: ir.Table,
                 route: bool = False) -> ir.Table:
    """``rows`` (with ``patent_id`` and ``wipo_field``) once per area of their patent, with
    ``area``, ``aw`` (the area's weight; a patent's add to 1) and ``lead`` (one per patent).

    Patents with a vote (:func:`area_votes`) take its areas; the others their WIPO field's
    area (``field_areas``: ``field, field_area``), weight 1, null when the field has none.
    Both are small-table joins, so the areas ride along the join that builds ``rows``
    instead of being a table of every patent. ``route`` adds which rule placed the row
    (``cpc`` or ``wipo_field``).
    """
    cols = list(rows.columns)
    rows = rows.view()  # a join of its own, not a link of the join chain that built ``rows``
    j = rows.left_join(field_areas, rows.wipo_field == field_areas.field)
    j = j.select(*cols, "field_area")
    if votes is None:
        extra = {"route": ibis.literal("wipo_field")} if route else {}
        return j.select(*cols, area=j.field_area, aw=ibis.literal(1.0),
                        lead=ibis.literal(True), **extra)
    v = votes.select(v_id=votes.patent_id, v_area=votes.area, v_weight=votes.weight,
                     v_lead=votes.lead)
    j = j.left_join(v, j.patent_id == v.v_id)
    by_cpc = j.v_id.notnull()
    extra = {"route": ibis.cases((by_cpc, "cpc"), else_="wipo_field")} if route else {}
    return j.select(*cols, area=ibis.cases((by_cpc, j.v_area), else_=j.field_area),
                    aw=j.v_weight.fill_null(1.0), lead=j.v_lead.fill_null(True), **extra)


def profile_areas(prof: ir.Table, votes: ir.Table | None, field_areas: ir.Table,
                  cells: Cells) -> ir.Table:
    """The profile once per area of its patent: ``patent_id, country, k, share, year,
    wipo_field, area, w, lead, cell`` with ``w`` = share × area weight (:func:`area_weights`)
    and ``cell`` from :func:`pack_cells`.

    Its ``lead`` rows are the profile itself (:func:`lead_rows`), so one materialised table
    serves both.
    """
    j = area_weights(prof, votes, field_areas)
    j = j.select("patent_id", "country", "k", "share", "year", "wipo_field", "area",
                 w=j.share * j.aw, lead=j.lead)
    return pack_cells(j, cells)


def lead_rows(prof_area: ir.Table) -> ir.Table:
    """The profile (one row per patent and country) from :func:`profile_areas`."""
    lead = prof_area.filter(prof_area.lead)
    return lead.select("patent_id", "country", "k", "share", "year", "wipo_field")


# A profile row's cell: its country, year, WIPO field and area packed into one integer,
# ((country × FIELDS + field) × AREAS + area) × YEARS + year + YEAR_OFFSET, with the countries
# and areas numbered from 1 (:class:`Cells`) and 0 for a missing field or area. The citation
# aggregate groups its 100 million rows by (origin, cell) instead of five columns, and its
# join carries one column for four (at 10 M citations the query took 1.7-2.1 s, not 2.7-3.1 s).
FIELDS, AREAS, YEARS = 1 << 6, 1 << 8, 1 << 14
YEAR_OFFSET = 1000  # a grant year is at most 4 characters: -999 … 9999


@dataclass(frozen=True)
class Cells:
    """The numbering of countries and areas that :func:`pack_cells` and
    :func:`unpack_cells` use: small tables ``country, ci`` and ``area, ai`` (from 1)."""

    countries: ir.Table
    areas: ir.Table

    @classmethod
    def of(cls, con: object, countries: Iterable[str], areas: Iterable[str]) -> Cells:
        """Number the given countries and areas (every value a profile row can hold)."""
        country, area = sorted(set(countries)), sorted(set(areas))
        if len(area) >= AREAS:
            raise ValueError(f"{len(area)} areas: at most {AREAS - 1} fit in a cell")
        return cls(
            small_table(con, "pv_cell_countries",
                        pd.DataFrame({"country": country, "ci": range(1, len(country) + 1)}),
                        {"country": "string", "ci": "int64"}),
            small_table(con, "pv_cell_areas",
                        pd.DataFrame({"area": area, "ai": range(1, len(area) + 1)}),
                        {"area": "string", "ai": "int64"}))


def pack_cells(rows: ir.Table, cells: Cells) -> ir.Table:
    """``rows`` (with ``country, year, wipo_field, area``; the field 1–35) with their
    ``cell``."""
    cols = list(rows.columns)
    rows = rows.view()
    j = rows.left_join(cells.countries, rows.country == cells.countries.country)
    j = j.select(*cols, "ci")
    j = j.left_join(cells.areas, j.area == cells.areas.area).select(*cols, "ci", "ai")
    cell = ((j.ci * FIELDS + j.wipo_field.cast("int64").fill_null(0)) * AREAS
            + j.ai.fill_null(0)) * YEARS + (j.year.cast("int64") + YEAR_OFFSET)
    return j.select(*cols, cell=cell)


def unpack_cells(flows: ir.Table, cells: Cells) -> ir.Table:
    """Flows keyed by ``origin, cell`` with ``destination, year, wipo_field, area`` instead."""
    c = flows.cell
    f = flows.mutate(year=(c % YEARS - YEAR_OFFSET).cast("int32"),
                     ai=(c // YEARS) % AREAS, wf=(c // (YEARS * AREAS)) % FIELDS,
                     ci=c // (YEARS * AREAS * FIELDS))
    j = f.left_join(cells.countries, f.ci == cells.countries.ci)
    j = j.select(*f.columns, destination=j.country)
    j = j.left_join(cells.areas, j.ai == cells.areas.ai).select(*j.columns, "area")
    return j.select("origin", "destination", "year", wipo_field=j.wf.nullif(0).cast("int32"),
                    area=j.area, patents=j.patents, fractional=j.fractional)


def citation_flows(citation: ir.Table, prof: ir.Table, prof_area: ir.Table, cells: Cells
                   ) -> ir.Table:
    """Cited patent's countries → citing patent's countries, by citing year, field and area
    (``prof_area`` with its :func:`pack_cells` cells)."""
    c = citation.select(citing=key(citation.patent_id), cited=key(citation.citation_patent_id))
    to = prof_area.select(citing=prof_area.patent_id, cell=prof_area.cell, w_to=prof_area.w)
    fr = prof.select(cited=prof.patent_id, origin=prof.country, w_from=prof.share)
    # the narrow cited side first: the 100-million-row intermediate carries 3 columns
    j = c.join(fr, "cited").join(to, "citing")
    flows = j.group_by(["origin", "cell"]).agg(patents=j.count(),
                                               fractional=(j.w_from * j.w_to).sum())
    return unpack_cells(flows, cells)


def coinvention_flows(prof: ir.Table, votes: ir.Table | None, field_areas: ir.Table
                      ) -> ir.Table:
    """Country pairs (``origin`` < ``destination``) sharing a patent's inventors, in the
    patent's areas (:func:`area_weights`)."""
    # A patent with one country has share 1 exactly (k / k); with several, every share is < 1.
    multi = prof.filter(prof.share < 1)
    a = multi.select("patent_id", "year", "wipo_field", origin=multi.country, s1=multi.share)
    b = multi.select("patent_id", destination=multi.country, s2=multi.share)
    j = a.join(b, "patent_id")
    j = j.filter(j.origin < j.destination)
    w = j.s1 * j.s2
    j = j.mutate(weight=w / w.sum().over(ibis.window(group_by="patent_id")))
    j = area_weights(j, votes, field_areas)
    return j.group_by(FLOW_KEYS).agg(patents=j.count(), fractional=(j.weight * j.aw).sum())


def ownership_flows(prof_area: ir.Table, own: ir.Table) -> ir.Table:
    """Inventor countries → assignee countries (``own``: the assignees' :func:`shares`)."""
    a = prof_area.select("patent_id", "year", "wipo_field", "area", origin=prof_area.country,
                         s1=prof_area.w)
    b = own.select("patent_id", destination=own.country, s2=own.share)
    j = a.join(b, "patent_id")
    return j.group_by(FLOW_KEYS).agg(patents=j.count(), fractional=(j.s1 * j.s2).sum())


def country_fields(prof: ir.Table, settings: Settings, by: str = "wipo_field",
                   weight: str = "share") -> ir.Table:
    """Patents per country, ``by`` (WIPO field or area) and period with the revealed
    technological advantage; ``weight`` is the fractional count of a profile row.

    RTA = (P_cf / P_c) / (P_f / P) over patents with a ``by``, null below the floor
    (P_c ≤ ``rta_floor``), for ``UNK`` and for the row of patents without one.
    """
    length, first = settings.period_length, settings.period_first_year
    offset = ((prof.year - first) % length + length) % length
    p = prof.mutate(period_start=(prof.year - offset).cast("int32"))
    cf = p.group_by(["country", by, "period_start"]).agg(
        patents=p.count(), patents_fractional=p[weight].sum())
    fielded = cf.filter(cf[by].notnull())
    pc = fielded.group_by(["country", "period_start"]).agg(p_c=fielded.patents_fractional.sum())
    pf = fielded.group_by([by, "period_start"]).agg(p_f=fielded.patents_fractional.sum())
    pt = fielded.group_by("period_start").agg(p_all=fielded.patents_fractional.sum())
    out = cf
    for agg, keys in ((pc, ["country", "period_start"]), (pf, [by, "period_start"]),
                      (pt, ["period_start"])):
        out = out.left_join(agg, keys).select(~selectors.endswith("_right"))
    p_c = out.p_c.fill_null(0.0)
    below = p_c <= settings.rta_floor
    rta = (out.patents_fractional / out.p_c) / (out.p_f / out.p_all)
    defined = out[by].notnull() & ~below & (out.country != UNKNOWN)
    return out.select(
        "country", by, "period_start", "patents", "patents_fractional",
        country_patents_fractional=p_c, below_floor=below,
        rta=ibis.cases((defined, rta), else_=ibis.null("float64")),
    )


# -- counts ----------------------------------------------------------------------------------
def counts(tables: Mapping[str, ir.Table], universe: ir.Table, prof: ir.Table,
           inventors: ir.Table, assignees: ir.Table, owners: ir.Table,
           first: ir.Table | None = None, fallback: ir.Table | None = None
           ) -> tuple[ir.Table, ir.Table]:
    """Every count the ingest reports: one wide row, and ``(name, value)`` rows per code.

    ``inventors`` and ``assignees`` are :func:`placement_counts`; ``owners`` the assignees'
    :func:`shares`. Each table is aggregated once for all its counts (one row each,
    cross-joined), which keeps the query small on Spark. ``first`` and ``fallback`` are the
    first CPC classes of patents without a WIPO field and the fields they give (when the CPC
    table is used).
    """
    rows: list[ir.Table] = [table.aggregate(**{f"rows_{name}": table.count()})
                            for name, table in tables.items()]
    rows.append(universe.aggregate(
        patents_counted=universe.count(),
        patents_without_wipo_field_in_g_wipo_technology=universe.wipo_field.isnull().sum()))
    if fallback is not None and first is not None:
        rows.append(fallback.aggregate(patents_wipo_field_from_cpc=fallback.count()))
        rows.append(first.aggregate(patents_with_first_cpc=first.count()))
    unk = (prof.share * (prof.country == UNKNOWN).cast("float64")).sum().fill_null(0.0)
    # a patent's shares add to 1: their sum counts the patents with inventors
    rows.append(prof.aggregate(patents_with_inventors=prof.share.sum().fill_null(0.0),
                               inventors_on_counted_patents=prof.k.sum().fill_null(0),
                               inventor_share_to_UNK=unk))
    for who, groups in (("inventors", inventors), ("assignees", assignees)):
        rows.append(groups.aggregate(**{
            f"{who}_{status}": (groups.k * (groups.status == status).cast("int64")).sum()
            .fill_null(0) for status in STATUSES}))
    # a semi-join: no need to make the assignees' patent ids distinct first
    owned = universe.filter(universe.patent_id.isin(owners.patent_id))
    rows.append(owned.aggregate(patents_with_assignee=owned.count()))
    wide = rows[0]
    for row in rows[1:]:
        wide = wide.cross_join(row)
    per_code = []
    for who, groups in (("inventors", inventors), ("assignees", assignees)):
        unknown = groups.filter(groups.status == "unknown_code")
        agg = unknown.group_by("code").agg(value=unknown.k.sum().cast("float64"))
        per_code.append(agg.select(
            name=ibis.literal(f"{who}_unknown_country_code_").concat(agg.code.fill_null("?")),
            value=agg.value))
    return wide, ibis.union(*per_code)


# -- the whole run ---------------------------------------------------------------------------
CpcLookup = Callable[[str], object]


def run(con: object, tables: Mapping[str, ir.Table], codes: Mapping[str, str],
        settings: Settings = Settings(), stage: Stage | None = None,
        cpc_field: Callable[[str], int | None] | None = None,
        cpc_area: Callable[[str], str | None] | None = None,
        field_areas: Mapping[int, str | None] | None = None) -> Result:
    """Compute flows, country-field and country-area counts and the counts on ``con``.

    ``cpc_field`` maps a CPC symbol to a WIPO field (the taxonomy's concordance); with it and
    a ``g_cpc_current`` table, patents without a WIPO field take their first CPC's field.
    ``cpc_area`` maps a CPC symbol to the area the taxonomy places it in directly (or None)
    and ``field_areas`` a WIPO field to its area: together they give each patent's areas
    (:func:`patent_areas`); without them every flow's area is null.
    """
    held: list[ir.Table] = []  # materialised intermediates, dropped at the end

    def hold(expr: ir.Table) -> ir.Table:
        table = expr.cache()
        held.append(table)
        return table

    try:
        return _run(con, tables, codes, settings, stage or (lambda _name: None),
                    {"field": cpc_field, "area": cpc_area}, field_areas or {}, hold)
    finally:
        _release(*held)


def _symbol_table(con: object, name: str, symbols: ir.Table, lookup: CpcLookup,
                  column: str, dtype: str) -> tuple[ir.Table, list[object]]:
    """The distinct symbols of ``symbols`` mapped by ``lookup`` (in Python, once per symbol)
    as a small table ``symbol, <column>`` of the symbols it places, and the values given."""
    values = con.execute(symbols.select("symbol").distinct())["symbol"].tolist()
    mapped = [(s, v) for s in values if (v := lookup(s)) is not None]
    frame = pd.DataFrame(mapped, columns=["symbol", column], dtype=object)
    if dtype == "float64":
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    table = small_table(con, name, frame, {"symbol": "string", column: dtype})
    return table, frame[column].drop_duplicates().tolist()


def _run(con: object, tables: Mapping[str, ir.Table], codes: Mapping[str, str],
         settings: Settings, say: Stage, lookups: Mapping[str, CpcLookup | None],
         field_areas: Mapping[int, str | None], hold: Callable[[ir.Table], ir.Table]
         ) -> Result:
    na = settings.na_markers
    code_tab = code_table(con, codes)
    say("patent profiles")
    locs = hold(locations(tables["g_location_disambiguated"], code_tab, na))
    inventor_rows, assignee_rows = (tables["g_inventor_disambiguated"],
                                    tables["g_assignee_disambiguated"])
    inventors = hold(placement_counts(inventor_rows, locs))
    assignees = hold(placement_counts(assignee_rows, locs))
    owners = hold(shares(placed(assignee_rows, locs)))
    universe = hold(patents(tables["g_patent"], tables["g_wipo_technology"]))
    cpc = tables.get("g_cpc_current")
    first = fallback = None
    if lookups["field"] is not None and cpc is not None:
        say("CPC fields for patents without a WIPO field")
        nofield = universe.filter(universe.wipo_field.isnull()).select("patent_id")
        first = hold(primary_cpc(cpc, nofield, na))
        mapped, given = _symbol_table(con, "pv_cpc_fields", first, lookups["field"],
                                      "cpc_field", "float64")
        if bad := sorted(f for f in given if f not in range(1, 36)):
            raise ValueError(f"CPC concordance gives fields outside 1–35: {bad}")
        fallback = hold(first.join(mapped, "symbol").select("patent_id", "cpc_field"))
    say("technology areas from CPC classes")
    votes, cpc_areas = None, []
    if lookups["area"] is not None and cpc is not None:
        symbols = cpc_symbols(cpc, na)
        placed_symbols, cpc_areas = _symbol_table(con, "pv_cpc_areas", symbols,
                                                  lookups["area"], "area", "string")
        votes = hold(area_votes(placed_classes(symbols, placed_symbols,
                                               universe.select("patent_id"))))
    area_frame = pd.DataFrame(sorted((int(f), a) for f, a in field_areas.items() if a),
                              columns=["field", "field_area"])
    field_tab = small_table(con, "pv_field_areas", area_frame,
                            {"field": "int32", "field_area": "string"})
    say("inventor shares by patent and area")
    cells = Cells.of(con, [*codes.values(), UNKNOWN],
                     [*area_frame["field_area"], *map(str, cpc_areas)])
    # one table for the profile and its areas: its lead rows are the profile
    prof_area = hold(profile_areas(profile(shares(placed(inventor_rows, locs)), universe,
                                           fallback), votes, field_tab, cells))
    prof = lead_rows(prof_area)
    say("counts")
    wide, per_code = counts(tables, universe, prof, inventors, assignees, owners, first,
                            fallback)
    notes = {str(k): float(v) for k, v in con.execute(wide).iloc[0].items() if pd.notna(v)}
    raw = con.execute(per_code)
    notes.update({str(k): float(v) for k, v in zip(raw["name"], raw["value"], strict=True)
                  if pd.notna(v)})
    fields = universe
    if fallback is not None:
        j = universe.left_join(fallback, "patent_id")
        fields = j.select("patent_id", wipo_field=ibis.coalesce(
            j.wipo_field, j.cpc_field.cast("int32")))
    notes.update(area_notes(con, area_weights(fields, votes, field_tab, route=True)))
    # only the counts needed these: free their memory for the joins to come
    _release(inventors, assignees, universe, first, fallback, locs)
    exprs = {"coinvention": coinvention_flows(prof, votes, field_tab),
             "patent_ownership": ownership_flows(prof_area, owners),
             "patent_citation": citation_flows(tables["g_us_patent_citation"], prof, prof_area,
                                               cells)}
    flows: dict[str, pd.DataFrame] = {}
    if backend_name(con) == "pyspark":
        # one job instead of three: Spark's per-job overhead dominates on small inputs
        say("patent_citation, coinvention and patent_ownership flows")
        both = con.execute(ibis.union(*[e.mutate(channel=ibis.literal(c))
                                        for c, e in exprs.items()]))
        for channel in exprs:
            part = both[both["channel"] == channel].drop(columns="channel")
            flows[channel] = _tidy(part, None, ["fractional"])
    else:
        # the citation join, by far the largest, runs last, when only the profile is held
        for channel, expr in exprs.items():
            say(f"{channel} flows")
            flows[channel] = _frame(con, expr)
            if channel == "patent_ownership":
                _release(owners)
    say("patent counts and RTA by country, field or area and period")
    cf = con.execute(country_fields(prof, settings))
    cf = _tidy(cf, ["country", "wipo_field", "period_start"],
               ["patents_fractional", "country_patents_fractional", "rta"])
    ca = con.execute(country_fields(prof_area, settings, by="area", weight="w"))
    ca = _tidy(ca, ["country", "area", "period_start"],
               ["patents_fractional", "country_patents_fractional", "rta"])
    if "patents_with_first_cpc" in notes:
        notes["patents_with_unmapped_first_cpc"] = (notes.pop("patents_with_first_cpc")
                                                    - notes["patents_wipo_field_from_cpc"])
    notes["patents_without_wipo_field"] = (
        notes.pop("patents_without_wipo_field_in_g_wipo_technology", 0.0)
        - notes.get("patents_wipo_field_from_cpc", 0.0))
    cited = float(flows["patent_citation"]["fractional"].sum())
    notes["citations_placed"] = round(cited)
    notes["citations_not_placed"] = notes.get("rows_g_us_patent_citation", 0) - round(cited)
    for channel, frame in flows.items():
        domestic = frame["origin"] == frame["destination"]
        notes[f"{channel}_domestic_fractional"] = float(frame.loc[domestic, "fractional"].sum())
        notes[f"{channel}_cross_border_fractional"] = float(
            frame.loc[~domestic, "fractional"].sum())
        flows[channel] = frame[~domestic].reset_index(drop=True)
    return Result(flows, cf, notes, ca)


def area_notes(con: object, areas: ir.Table) -> dict[str, float]:
    """Patents by the route that placed them (CPC class, WIPO field, none) and per area
    (fractional: a patent's area weights add to 1); ``areas`` from :func:`area_weights`
    with ``route``."""
    g = areas.group_by(["route", "area"]).agg(patents=areas.aw.sum())
    frame = con.execute(g)
    route = frame.groupby(frame["route"] + frame["area"].isna().map({True: "-", False: "+"}))[
        "patents"].sum()
    notes = {name: round(float(route.get(key, 0.0)), DECIMALS) for name, key in (
        ("patents_area_from_cpc", "cpc+"), ("patents_area_from_wipo_field", "wipo_field+"),
        ("patents_without_area", "wipo_field-"))}
    for area, value in frame.dropna(subset=["area"]).groupby("area")["patents"].sum().items():
        notes[f"patents_fractional_in_{area}"] = round(float(value), DECIMALS)
    return notes


def _release(*held: ir.Table | None) -> None:
    """Drop materialised intermediates that are no longer needed (frees the engine's memory)."""
    for table in held:
        if table is not None:
            with contextlib.suppress(Exception):  # the backend may already be gone
                table.release()


def _frame(con: object, expr: ir.Table) -> pd.DataFrame:
    return _tidy(_fetch(con, expr), None, ["fractional"])


def _fetch(con: object, expr: ir.Table) -> pd.DataFrame:
    """Execute to pandas; on DuckDB through Arrow directly (faster for large results)."""
    if backend_name(con) == "duckdb":
        return con.to_pyarrow(expr).to_pandas()
    return con.execute(expr)


def _tidy(frame: pd.DataFrame, keys: list[str] | None, fractions: list[str]) -> pd.DataFrame:
    """Fixed dtypes and rounded fractions (engines sum in different orders); sorted by
    ``keys`` when given (flows are not: their order carries no meaning)."""
    frame = frame.copy()
    for col in fractions:
        frame[col] = frame[col].astype("float64").round(DECIMALS)
    if "area" in frame.columns:
        frame["area"] = frame["area"].astype(object).where(frame["area"].notna(), None)
    for col in ("year", "wipo_field", "period_start"):
        if col in frame.columns:
            frame[col] = frame[col].astype("Int64")
    for col in ("patents",):
        if col in frame.columns:
            frame[col] = frame[col].astype("int64")
    if keys is None:
        return frame.reset_index(drop=True)
    return frame.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)
