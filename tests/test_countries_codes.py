"""A code resolves without building the name index (dyad's start: issue 14, part 7)."""

from __future__ import annotations

from reciprocity import countries


def test_a_code_needs_no_name_index_and_a_name_still_resolves():
    countries._registry.cache_clear()
    countries._codes.cache_clear()
    assert countries.resolve("jpn").code == "JPN"
    assert countries.name_of("USA") == countries.resolve("United States").name
    assert countries.name_of("SUN") == "Soviet Union"
    # the codes alone so far; the name lookup above built the index once
    assert countries._codes.cache_info().currsize == 1
    countries._registry.cache_clear()
    countries.resolve("USA"), countries.name_of("XBF"), countries.all_countries()
    assert countries._registry.cache_info().currsize == 0
    assert countries.resolve("south_korea").code == "KOR"
    assert countries._registry.cache_info().currsize == 1
