"""The briefing as an analyst hands it on: page 1 is the answer (headline figures, the
headline sentence, the coverage of each channel), the detail follows as an appendix; charts
print as they show; ledger records go by their names; no table of equal values."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.report import builder, headline
from report.conftest import chromium_or_skip
from web.support import ARTIFACTS

SHOTS = ARTIFACTS / "report"


@pytest.fixture(scope="module")
def usa_jpn_html(web_report_store: Path) -> str:
    with Reciprocity(web_report_store, read_only=True) as r:
        return builder.render_html(r, "USA", "JPN")


class Tables(HTMLParser):
    """Every table's body rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.in_body = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.tables[-1].append([])
        elif tag == "td" and self.in_body:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start:html.index("</section>", start)]


def test_page_one_holds_the_headline_and_the_coverage(usa_jpn_html: str,
                                                      web_session: Reciprocity) -> None:
    dyad = web_session.dyad("USA", "JPN").to_dict()
    composite = web_session.composite_index("USA", "JPN").answer().model_dump(mode="json")
    sentence = headline.sentence(dyad, composite)
    page_one = section(usa_jpn_html, "headline")
    assert 'class="page-one"' in page_one
    first = text_of(page_one)
    assert text_of(sentence) in first  # the same sentence the web app's pair page prints
    assert f"{dyad['channels']['arms']['flow_ab']:,.0f}" in sentence
    assert f"two-way index {dyad['channels']['arms']['gl_index']:.3f}" in sentence
    for key, ch in dyad["channels"].items():  # every channel with its years with data
        label = headline.key_label(ch["channel"], ch["unit"])
        assert label in first, key
    assert "years with data" in first
    # the detail is an appendix that starts on a new page when printed
    assert '<section id="flows" class="detail">' in usa_jpn_html
    css = builder._asset("briefing.css")
    assert re.search(r"section\.detail \{ break-before: page", css)


def test_no_table_whose_values_are_all_equal(usa_jpn_html: str) -> None:
    parser = Tables()
    parser.feed(usa_jpn_html)
    assert len(parser.tables) >= 5
    for rows in parser.tables:
        rows = [r for r in rows if r]
        if len(rows) < 2:
            continue
        for i in range(len(rows[0])):
            column = {r[i] for r in rows if i < len(r)}
            assert len(column) > 1, (f"a column whose every value is {column}", rows[:3])


def test_ledger_records_by_their_names(usa_jpn_html: str) -> None:
    text = text_of(usa_jpn_html)
    assert not re.search(r"#\d{4,}", text), re.findall(r".{60}#\d{4,}", text)[:3]
    flows = text_of(section(usa_jpn_html, "flows"))
    # the ledger channel's transfers are listed once, by name, in the ledger section (not
    # again in the flows appendix, and never as "Largest records" of values all 1)
    assert "Its transfers are listed by name in the Ledger section" in flows
    assert "Transfers, USA → JPN" not in flows
    assert "web-t-licence" in text_of(section(usa_jpn_html, "ledger"))
    assert not re.search(r"\breciprocity_ledger/\S+ #?\d", flows)


def test_no_raw_channel_keys_or_sankey(usa_jpn_html: str) -> None:
    text = text_of(usa_jpn_html)
    assert "relative_citation_index" not in text and "tiv_millions" not in text.split(
        "Method and provenance")[0]
    for spec in re.findall(r'<script id="fig-[^"]+" type="application/json">(.*?)</script>',
                           usa_jpn_html, re.S):
        assert all(t.get("type") != "sankey" for t in json.loads(spec)["data"])


def test_single_value_channels_are_cards(web_session: Reciprocity) -> None:
    html = builder.render_html(web_session, "USA", "JPN", since=1991, until=1991)
    dyad = web_session.dyad("USA", "JPN", since=1991, until=1991).to_dict()
    assert dyad["channels"]
    for key in dyad["channels"]:
        assert f'data-card="{key}"' in html
    assert 'data-figure="fig-flows-' not in html  # no chart of one point


MARKS_JS = """els => els.map(el => {
    const shapes = el.querySelectorAll(
        '.scatterlayer path.js-line, .scatterlayer path.point, .barlayer path');
    return Array.from(shapes).filter(s => {
        const b = s.getBBox(); const st = getComputedStyle(s);
        return (b.width > 0 || b.height > 0) && st.opacity !== '0'
            && st.visibility !== 'hidden';
    }).length; })"""
"""Per chart, its data marks (lines, points, bars) that are drawn and visible."""


def _figure_titles(html: str) -> list[str]:
    titles = []
    for spec in re.findall(r'<script id="fig-[^"]+" type="application/json">(.*?)</script>',
                           html, re.S):
        layout = json.loads(spec).get("layout", {})
        title = (layout.get("title") or {}).get("text")
        if title:
            titles.append(title.replace("<br>", " "))  # a long title's lines
    return titles


def test_pdf_prints_every_chart_and_page_one_is_the_answer(
        usa_jpn_html: str, web_report_store: Path, tmp_path: Path) -> None:
    """Print the briefing; keep a PNG of every PDF page in test-artifacts/report/; page 1
    holds the headline, the rest the appendix; every chart's drawing is in the PDF (its
    title is printed text, and in the print layout every chart has visible marks)."""
    executable = chromium_or_skip()
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    from reciprocity.report.pdf import CHROMIUM_FLAGS, PRINT_WIDTH_PX

    page_file = tmp_path / "briefing.html"
    page_file.write_text(usa_jpn_html, encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)

    def print_layout_marks() -> list[int]:
        with sync_playwright() as p:  # the print layout, as the printer sees it
            browser = p.chromium.launch(executable_path=executable,
                                        args=list(CHROMIUM_FLAGS))
            try:
                page = browser.new_page(viewport={"width": PRINT_WIDTH_PX + 40,
                                                  "height": 1000})
                page.goto(page_file.as_uri())
                page.wait_for_function("window.__briefingReady === true")
                page.emulate_media(media="print")
                page.evaluate(f"window.__prepareForPrint({PRINT_WIDTH_PX})")
                marks = page.eval_on_selector_all("[data-figure]", MARKS_JS)
                page.screenshot(path=str(SHOTS / "briefing-print-layout.png"), full_page=True)
                return marks
            finally:
                browser.close()

    # Playwright's sync API refuses a thread with a running event loop (the browser tests'
    # session may hold one): drive it from a fresh thread, as the printer does.
    with ThreadPoolExecutor(1) as pool:
        marks = pool.submit(print_layout_marks).result()
    assert marks and all(n > 0 for n in marks), marks

    out = tmp_path / "briefing.pdf"
    with Reciprocity(web_report_store, read_only=True) as r:
        builder.write_briefing(r, "USA", "JPN", out)
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) are not installed")
    for old in SHOTS.glob("briefing-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(out), str(SHOTS / "briefing-page")],
                   check=True)
    pages = sorted(SHOTS.glob("briefing-page-*.png"))
    assert len(pages) >= 2

    def page_text(first: int, last: int | None = None) -> str:
        done = subprocess.run(["pdftotext", "-f", str(first), "-l", str(last or first),
                               str(out), "-"], capture_output=True, text=True, check=True)
        return " ".join(done.stdout.split())

    one = page_text(1)
    assert "Headline" in one and "years with data" in one
    assert "From " in one and "two-way index" in one
    assert "Flows by channel" not in one  # the appendix starts on page 2
    everything = page_text(1, len(pages))
    for title in _figure_titles(usa_jpn_html):
        assert " ".join(title.split()) in everything, title
