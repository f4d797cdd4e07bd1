"""The briefing in words: its tables' headings and cells hold no machine key outside
``<code>`` (where the appendix names a CSV column or unit beside its label), and indices
are printed to 3 decimals."""

from __future__ import annotations

import html
import re

from reciprocity.api import Reciprocity
from reciprocity.report import builder

KEYS = ("observed_ab", "observed_ba", "ci_low", "ci_high", "gl_index", "share_b",
        "coverage_ratio", "tiv_millions", "b_strength", "present_share", "best_evidence")


def test_briefing_tables_in_words(web_session: Reciprocity) -> None:
    page = builder.render_html(web_session, "USA", "JPN")
    body = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    assert not [k for k in KEYS if re.search(rf"\b{k}\b", text)]
    heads = [html.unescape(h) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", body, flags=re.S)]
    assert not [h for h in heads if "_" in h], heads
    # the method appendix: each measure by its label, its column name beside it as code
    assert re.search(r"Two-way index <code>gl_index</code>", page)
    assert re.search(r"TIV, millions <code>tiv_millions</code>|million TIV <code>tiv_millions"
                     r"</code>", page)
