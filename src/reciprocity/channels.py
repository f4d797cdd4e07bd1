"""The channels through which technology moves, and what each one measures."""

from __future__ import annotations

from dataclasses import dataclass

from reciprocity.errors import NotFoundError


@dataclass(frozen=True)
class Channel:
    """A channel: whether it has a direction, its units, and the sources that feed it."""

    name: str
    description: str
    directed: bool
    units: tuple[str, ...]
    sources: tuple[str, ...]


UNITS = {
    "tiv_millions": "millions of SIPRI trend-indicator values (a volume of military "
                    "capability transferred, not money)",
    "articles_whole": "internationally co-authored S&E articles (Scopus, as NCSES counts "
                      "them), whole counts: each article counts once for each country pair",
    "coauthorship_index": "NCSES index of co-authorship, (Cxy/Cx)/(Cy/Cw); 1 = the pair "
                          "collaborates as much as its shares of world collaboration predict",
    "works_whole": "OpenAlex works co-authored by the pair, whole counts (1 per work)",
    "works_fractional": "OpenAlex works co-authored by the pair, fractional counts (each work's "
                        "1 shared equally by the country pairs it links)",
    "relative_citation_index": "NCSES relative citation index, all fields: the citing country's "
                               "share of citations going to the cited country ÷ the cited "
                               "country's share of publications (1 = as expected)",
    "relative_citation_index_computer_information_sciences":
        "NCSES relative citation index, cited articles in computer and information sciences",
    "relative_citation_index_engineering":
        "NCSES relative citation index, cited articles in engineering",
    "relative_citation_index_materials_science":
        "NCSES relative citation index, cited articles in materials science",
    "relative_citation_index_physics":
        "NCSES relative citation index, cited articles in physics",
    "citations": "OpenAlex references from works of the citing country to works of the cited "
                 "country, whole counts (1 per citing work, cited work and country pair)",
    "citations_fractional": "citations between U.S. patents, fractional counts: each citation "
                            "counts 1, split over the cited and the citing patents' inventor "
                            "countries (PatentsView)",
    "patents_fractional": "U.S. patents, fractional counts: each patent counts 1, split over "
                          "its inventor countries (and its assignees' countries, or its "
                          "country pairs) (PatentsView)",
    "transfers": "executed technology transfers recorded in the cooperation ledger (1 each, "
                 "in the year it was executed)",
    "value_usd_millions": "value of executed ledger transfers, millions of then-year U.S. "
                          "dollars as the sources state them (other currencies and price years "
                          "get units of their own, e.g. value_jpy_millions, never mixed)",
}

#: Units that are indices, not amounts: never summed (over years, areas or with counts).
INDEX_UNITS = frozenset({
    "coauthorship_index", "relative_citation_index",
    "relative_citation_index_computer_information_sciences",
    "relative_citation_index_engineering", "relative_citation_index_materials_science",
    "relative_citation_index_physics",
})

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
        raise NotFoundError(
            f"unknown channel {name!r}; expected one of {sorted(CHANNELS)}") from None


def is_directed(name: str) -> bool:
    """True for directed channels; unknown channels are treated as directed."""
    channel = CHANNELS.get(name)
    return True if channel is None else channel.directed


def is_additive(unit: str) -> bool:
    """False for index units, whose values are averaged, never summed."""
    return unit not in INDEX_UNITS
