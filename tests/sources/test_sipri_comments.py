"""The classic register's comments read for licensed and local production and design origin."""

from __future__ import annotations

import re

import pytest

from reciprocity.sources.sipri import quirks
from reciprocity.sources.sipri_comments import design_origin, local_production


@pytest.mark.parametrize(("comment", "recipient", "kind", "number"), [
    # the F-15J deal and the other phrasings an analyst named as misread
    ("Including 199 assembled/produced in Japan", "JPN", "assembly_or_production", 199),
    ("Produced in Japan", "JPN", "assembly_or_production", 213),
    ("Most assembled/produced in Japan", "JPN", "assembly_or_production", None),
    ("Incl 300 assembed/produced in Japan", "JPN", "assembly_or_production", 300),
    ("F-15J version; assembled from kits in Japan", "JPN", "kits", 213),
    ("Assembled from kit in Bolivia", "BOL", "kits", 213),
    # licences, with the typos SIPRI's comments hold
    ("Produced under licence in Japan", "JPN", "licence", 213),
    ("Second-hand; aid; produced under Russian licence after break-up of Soviet Union", "UKR",
     "licence", 213),
    ("incl 12 assembled/produced under licence in India", "IND", "licence", 12),
    ("Licence produced in Spain", "ESP", "licence", 213),
    ("Incl 13 producedunder licence in India", "IND", "licence", 13),
    ("produced under licenec in India as RAWL-02", "IND", "licence", 213),
    ("most produced uncder licence in Italy", "ITA", "licence", None),
    ("Bell-204B version; produced under licence in Itaky as AB-204B", "ITA", "licence", 213),
    ("probably incl production under licence (or possibly without licence from France) in China",
     "CHN", "licence", None),
    ("Designed for production under licence in Spain", "ESP", "licence", 213),
    ("Part of $2.9 b deal; incl production under licence in Japan; or Patriot air-defence systems",
     "JPN", "licence", None),
    # assembly counted inside the phrase, components, the place in a demonym or a list
    ("Part of BFR14 b deal (offsets 40% incl assembly of 45 in Belgium)", "BEL",
     "assembly_or_production", 45),
    ("Incl production of components in France; 12.5% of development financed by France", "FRA",
     "components", None),
    ("Chinese-produced H/PJ-26 version", "CHN", "assembly_or_production", 213),
    ("Incl 95 produced under licence in Germany and Netherlands", "NLD", "licence", 95),
    ("$1.8 b deal (incl operation for UK armed forces); 2 produced in UK", "GBR",
     "assembly_or_production", 2),
    # the platform list runs over ';' only when the next clause names a platform
    ("AS-332M version; incl for SAR; 17 assembled from kits in Singapore", "SGP", "kits", 17),
])
def test_local_production_is_read_with_its_words_and_number(comment, recipient, kind, number):
    found = local_production(comment, recipient, 213)
    assert found is not None
    assert found.kind == kind
    assert found.number == number
    assert found.clause in comment   # SIPRI's exact words


@pytest.mark.parametrize(("comment", "recipient"), [
    # the item is fitted to a platform made in the recipient, not made there itself
    ("For 3 Minegumo frigates produced in Japan", "JPN"),
    ("JT-8D-9 version for 31 C-1 transport aircraft produced in Japan (incl 10 spare engines)",
     "JPN"),
    ("For 25 Sea Venom FAW-20 (Aquilon-202) combat aircraft from UK (produced under licence in "
     "France)", "FRA"),
    ("For 6 Yamagumo; 2 Takatsuki; 3 Minegumo frigates and 1 Katori training ship produced in "
     "Japan", "JPN"),
    # options, plans, prior to, without licence, export licences, beyond the deal
    ("Mirage-2000H version; option on 70 more produced under licence in India not used", "IND"),
    ("Prior to licensed production", "JPN"),
    ("Planned licensed production cancelled and SA-316B ordered instead", "IND"),
    ("probably produced (possibly without license) in China", "CHN"),
    ("possibly unlicensed production in Taiwan", "TWN"),
    ("rest cancelled after withdrawal of export licence in 1990", "IRQ"),
    ("MYR1 b deal ($256 m; originally ordered incl production under licence in Malaysia but "
     "changed to all produced in China)", "MYS"),
    ("Later copied and produced in China as Type-55", "CHN"),
    ("More produced in China after 1960 Sino-Soviet break", "CHN"),
    # made in a third country or in the supplier: not local production in the recipient
    ("French design produced under licence in India for France", "FRA"),
    ("US design produced in Japan for USA; for Patriot air-defence systems", "USA"),
    ("A-109LUH version; from South African production line", "NGA"),
    ("designed in Israel but produced in USA for Israel", "ISR"),
    ("", "JPN"),
    ("Second-hand; aid", "JPN"),
])
def test_clauses_not_about_the_item_made_in_the_recipient_are_not_read(comment, recipient):
    assert local_production(comment, recipient, 10) is None


def test_a_licence_in_the_recipient_counts_in_either_direction():
    # Beechjet-400 built as the T-1A in the USA: licensed production Japan → USA
    assert local_production("$925 m 'TTTS' programme; produced under licence in USA",
                            "USA", 180).kind == "licence"


@pytest.mark.parametrize(("comment", "code"), [
    ("US design produced in Japan for USA; for Patriot air-defence systems", "USA"),
    ("Soviet design produced in Czechoslovakia for Soviet Union", "SUN"),
    ("French design produced under licence in India for France", "FRA"),
    ("designed in Israel but produced in USA for Israel", "ISR"),
    ("Designed in South Africa for production under licence in India", "ZAF"),
    ("Built in USA to Israeli design", "ISR"),
    ("Designation uncertain (reported as 'APC')", None),
    ("Indian designation Vijay", None),
    ("", None),
])
def test_design_origin(comment, code):
    assert design_origin(comment) == code


def test_patterns_in_quirks_are_valid_regular_expressions():
    lp = quirks()["local_production"]
    patterns = [*lp["exclusions"], lp["platform"], lp["continuation"], lp["partial"],
                lp["counted"], lp["prefilter"], *quirks()["design_patterns"],
                *(p for items in lp["phrases"].values() for p in items)]
    for pattern in patterns:
        re.compile(pattern)
    assert set(lp["kinds_without_place"]) <= set(lp["phrases"])
