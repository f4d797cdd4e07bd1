"""The channels through which technology moves, and what each one measures."""

from __future__ import annotations

from dataclasses import dataclass

from reciprocity.errors import unknown_name


@dataclass(frozen=True)
class Channel:
    """A channel: whether it has a direction, its units, and the sources that feed it."""

    name: str
    description: str
    directed: bool
    units: tuple[str, ...]
    sources: tuple[str, ...]


#: How a unit's values combine over years. ``sum``: flows per year (TIV, money, counts of a
#: continuous annual series); totals over a span exist, and a year inside the source's years
#: without a record is 0. ``snapshot``: counts or stocks for the years the publisher measured
#: (e.g. NCSES tabulates co-authored articles for 2003 and 2022 only); ``index``: relative
#: indices and ratios. Neither of the last two is ever added up: they report per-year values
#: and the latest value with its year, and a year without a value is null, never 0.
AGGREGATIONS = ("sum", "snapshot", "index")


@dataclass(frozen=True)
class Unit:
    """A unit of measure: what it means and how its values aggregate (``AGGREGATIONS``)."""

    name: str
    description: str
    aggregation: str = "sum"

    def __post_init__(self) -> None:
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"unit {self.name}: aggregation {self.aggregation!r} is not one "
                             f"of {AGGREGATIONS}")

    @property
    def additive(self) -> bool:
        """True when values over years may be added (``sum``)."""
        return self.aggregation == "sum"


#: Every unit the store uses (flows and indicators), declared once.
UNIT_DECLARATIONS: dict[str, Unit] = {u.name: u for u in (
    Unit("tiv_millions",
         "millions of SIPRI trend-indicator values (a volume of military capability "
         "transferred, not money)",
         "sum"),
    Unit("articles_whole",
         "internationally co-authored S&E articles (Scopus, as NCSES counts them), whole "
         "counts: each article counts once for each country pair",
         "snapshot"),
    Unit("coauthorship_index",
         "NCSES index of co-authorship, (Cxy/Cx)/(Cy/Cw); 1 = the pair collaborates as "
         "much as its shares of world collaboration predict",
         "index"),
    Unit("works_whole",
         "OpenAlex works co-authored by the pair, whole counts (1 per work)",
         "sum"),
    Unit("works_fractional",
         "OpenAlex works co-authored by the pair, fractional counts (each work's 1 shared "
         "equally by the country pairs it links)",
         "sum"),
    Unit("relative_citation_index",
         "NCSES relative citation index, all fields: the citing country's share of "
         "citations going to the cited country ÷ the cited country's share of publications "
         "(1 = as expected)",
         "index"),
    Unit("relative_citation_index_computer_information_sciences",
         "NCSES relative citation index, cited articles in computer and information "
         "sciences",
         "index"),
    Unit("relative_citation_index_engineering",
         "NCSES relative citation index, cited articles in engineering",
         "index"),
    Unit("relative_citation_index_materials_science",
         "NCSES relative citation index, cited articles in materials science",
         "index"),
    Unit("relative_citation_index_physics",
         "NCSES relative citation index, cited articles in physics",
         "index"),
    Unit("citations",
         "OpenAlex references from works of the citing country to works of the cited "
         "country, whole counts (1 per citing work, cited work and country pair)",
         "sum"),
    Unit("citations_fractional",
         "citations between U.S. patents, fractional counts: each citation counts 1, split "
         "over the cited and the citing patents' inventor countries (PatentsView)",
         "sum"),
    Unit("patents_fractional",
         "U.S. patents, fractional counts: each patent counts 1, split over its inventor "
         "countries (and its assignees' countries, or its country pairs) (PatentsView)",
         "sum"),
    Unit("transfers",
         "executed technology transfers recorded in the cooperation ledger (1 each, in the "
         "year it was executed)",
         "sum"),
    Unit("value_usd_millions",
         "value of executed ledger transfers, millions of then-year U.S. dollars as the "
         "sources state them (other currencies and price years get units of their own, "
         "e.g. millions of yen, never mixed)",
         "sum"),
    # Country indicators (the ``indicators`` table).
    Unit("usd_current", "current U.S. dollars of a year's payments or receipts (WDI)", "sum"),
    Unit("percent_of_gdp", "percent of GDP, e.g. R&D expenditure (WDI): a ratio", "index"),
    Unit("per_million_people", "per million people, e.g. researchers in R&D (WDI): a ratio",
         "index"),
    Unit("patent_families_fractional",
         "IP5 patent families by inventor country and priority year, fractional counts: a "
         "family with inventors in several countries is split between them (OECD)", "sum"),
)}

#: Unit → its description (the meaning shown next to figures).
UNITS: dict[str, str] = {name: u.description for name, u in UNIT_DECLARATIONS.items()}

#: Units that are indices, not amounts (``index``); kept for callers that list them.
INDEX_UNITS = frozenset(n for n, u in UNIT_DECLARATIONS.items() if u.aggregation == "index")


def unit(name: str) -> Unit:
    """The declaration of unit ``name``. Units named by pattern (``value_<cur>_millions``,
    ``relative_citation_index_<field>``) get theirs; any other unknown unit is a ``sum``."""
    declared = UNIT_DECLARATIONS.get(name)
    if declared is not None:
        return declared
    if name.startswith("relative_citation_index"):
        return Unit(name, name.replace("_", " "), "index")
    return Unit(name, name.replace("_", " "), "sum")


def aggregation(name: str) -> str:
    """``sum``, ``snapshot`` or ``index``: how the values of unit ``name`` aggregate."""
    return unit(name).aggregation


CHANNELS: dict[str, Channel] = {
    c.name: c for c in (
        Channel("arms", "Deliveries of major conventional arms, incl. licensed production "
                "(flow runs supplier → recipient).", True, ("tiv_millions",), ("sipri",)),
        Channel("coauthorship", "Internationally co-authored publications (undirected: stored "
                "once per pair; both directions hold the joint count).", False,
                ("articles_whole", "coauthorship_index", "works_whole", "works_fractional"),
                ("ncses", "openalex")),
        Channel("citation", "Citations between countries' publications (flow runs from the "
                "cited country to the citing one: knowledge flows to whoever cites).", True,
                ("relative_citation_index",
                 "relative_citation_index_computer_information_sciences",
                 "relative_citation_index_engineering",
                 "relative_citation_index_materials_science",
                 "relative_citation_index_physics", "citations"),
                ("ncses", "openalex")),
        Channel("programs", "Executed transfers of the cooperation ledger (flow runs from the "
                "country that gave the technology to the one that received it).", True,
                ("transfers", "value_usd_millions"), ("ledger",)),
        Channel("patent_citation", "Citations between U.S. patents (flow runs from the cited "
                "patent's inventor countries to the citing patent's: knowledge flows to whoever "
                "cites), fractional counts.", True, ("citations_fractional",), ("patentsview",)),
        Channel("coinvention", "Patents whose inventors sit in both countries (undirected: "
                "stored once per pair; both directions hold the joint count), fractional "
                "counts.", False, ("patents_fractional",), ("patentsview",)),
        Channel("patent_ownership", "Inventions made in one country and owned by an assignee "
                "of another (flow runs from the inventor country to the owner country), "
                "fractional counts.", True, ("patents_fractional",), ("patentsview",)),
    )
}


def get(name: str) -> Channel:
    """The channel called ``name``."""
    try:
        return CHANNELS[name]
    except KeyError:
        raise unknown_name("channel", name, CHANNELS, not_found=True,
                           hint="reciprocity channels lists them") from None


def is_directed(name: str) -> bool:
    """True for directed channels; unknown channels are treated as directed."""
    channel = CHANNELS.get(name)
    return True if channel is None else channel.directed


def is_additive(unit_name: str) -> bool:
    """True for ``sum`` units only: snapshot and index values are never added over years."""
    return unit(unit_name).additive
