"""Briefings: one self-contained HTML file, the sections it promises, and its PDF print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.report import builder, pdf
from report.conftest import chromium_or_skip
from web.support import CREDIT

PLOTLY = re.compile(r'<script id="plotly-js">(.*?)</script>', re.S)
OUTSIDE = re.compile(r"""(?:\b(?:src|href|action|poster|data|srcset|formaction)\s*=\s*["']?\s*"""
                     r"""(?:https?:)?//)|(?:url\(\s*["']?\s*(?:https?:)?//)|@import""", re.I)


def without_plotly(html: str) -> str:
    match = PLOTLY.search(html)
    assert match, "Plotly's script is not inline"
    assert match.group(1) == builder.plotly_js(), "the inline Plotly is not the package's"
    return html[:match.start()] + html[match.end():]


@pytest.fixture(scope="module")
def usa_jpn(web_report_store: Path) -> str:
    with Reciprocity(web_report_store, read_only=True) as r:
        return builder.render_html(r, "USA", "JPN")


def test_self_contained(usa_jpn: str) -> None:
    rest = without_plotly(usa_jpn)
    assert not OUTSIDE.findall(rest), OUTSIDE.findall(rest)[:5]
    assert not re.search(r"<script[^>]+\bsrc=", rest)
    assert not re.search(r"<link[^>]+rel=[\"']?stylesheet", rest)
    assert '"displaylogo": false' in rest  # no link to plotly.com under the charts


def test_sections(usa_jpn: str, web_session: Reciprocity) -> None:
    dyad = web_session.dyad("USA", "JPN").to_dict()
    gl = dyad["channels"]["arms"]["gl_index"]
    assert f'id="headline-index">{gl:.3f}<' in usa_jpn
    for section in ("headline", "flows", "ledger", "appendix"):
        assert f'<section id="{section}"' in usa_jpn, section
    assert usa_jpn.count('data-figure="fig-') >= 4  # arms: flows, index, by mode; areas
    assert "web-t-licence" in usa_jpn and "Technology-for-technology" in usa_jpn
    assert "Planned versus actual" in usa_jpn
    for v in web_session.sources().to_dict("records"):
        if v["vintage_id"] in dyad["vintages"] and v["dataset"] == "sipri_arms_transfers":
            assert v["sha256"] in usa_jpn
    assert CREDIT in usa_jpn
    assert "1 − |AB − BA| / (AB + BA)" in usa_jpn
    assert "F-15J Eagle" in usa_jpn and "Beechjet-400" in usa_jpn  # largest records


def test_briefing_shows_the_assessment(usa_jpn: str, web_session: Reciprocity) -> None:
    comp = web_session.composite_index("USA", "JPN").answer().model_dump(mode="json")
    assert f'id="headline-composite">{comp["value"]:.3f}<' in usa_jpn
    assert f'{comp["ci_low"]:.3f} – {comp["ci_high"]:.3f}' in usa_jpn
    assert '<section id="assessment"' in usa_jpn and "Dependence: Japan" in usa_jpn


def test_span_filters(web_session: Reciprocity) -> None:
    html = builder.render_html(web_session, "USA", "JPN", since=1990, until=1999)
    assert "1990–1999" in html
    assert "F-35A" not in html  # delivered 2018–2019


@pytest.mark.parametrize("a, b, since, until", [("ISL", "NPL", None, None),
                                                ("USA", "JPN", 1950, 1960)])
def test_no_data_says_so(web_session: Reciprocity, a: str, b: str, since: int | None,
                         until: int | None) -> None:
    html = builder.render_html(web_session, a, b, since=since, until=until)
    assert 'id="no-data"' in html and "No data for this pair" in html
    assert 'data-figure="fig-' not in html
    assert '<section id="appendix"' in html
    assert not OUTSIDE.findall(without_plotly(html))


def test_print_styles_keep_charts_and_tables_whole() -> None:
    css = (Path(builder.__file__).parent / "templates" / "briefing.css").read_text()
    print_rules = css[css.index("@media print"):]
    assert re.search(r"figure, table[^{]*\{\s*break-inside: avoid", print_rules)
    assert "thead { display: table-header-group; }" in print_rules


def test_cli_writes_html(run_main, web_report_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    result = run_main("--db", web_report_store, "report", "USA", "JPN", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_cli_refuses_bad_input(run_main, web_report_store: Path, tmp_path: Path) -> None:
    bad_suffix = run_main("--db", web_report_store, "report", "USA", "JPN", "-o",
                          tmp_path / "b.docx")
    assert bad_suffix.exit_code == 2 and ".html or .pdf" in bad_suffix.output
    unknown = run_main("--db", web_report_store, "report", "USA", "Atlantis", "-o",
                       tmp_path / "b.html")
    assert unknown.exit_code == 2 and "Atlantis" in unknown.output
    assert not (tmp_path / "b.html").exists()


def test_cli_writes_pdf(run_main, web_report_store: Path, tmp_path: Path) -> None:
    chromium_or_skip()
    out = tmp_path / "b.pdf"
    result = run_main("--db", web_report_store, "report", "USA", "JPN", "-o", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2


def test_pdf_without_playwright(web_session: Reciprocity, tmp_path: Path) -> None:
    """The fallback printer: ``chromium --headless --print-to-pdf``."""
    executable = chromium_or_skip()
    page = tmp_path / "b.html"
    page.write_text(builder.render_html(web_session, "USA", "JPN"), encoding="utf-8")
    out = tmp_path / "b.pdf"
    pdf._print_with_cli(executable, page, out, tmp_path, 60)
    assert out.read_bytes().startswith(b"%PDF")


def test_channel_coverage_and_no_total_for_snapshot_units(ncses_db: Path) -> None:
    """Each channel shows its years with data; a snapshot unit shows its latest value, not a
    sum of its survey years."""
    from ev_helpers import ncses_value

    with Reciprocity(ncses_db, read_only=True) as r:
        html = builder.render_html(r, "USA", "JPN")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "2 years with data: 2003, 2022" in text
    latest = ncses_value("United States", "Japan", 2022)
    both = latest + ncses_value("United States", "Japan", 2003)
    assert f"latest, 2022: {latest:,.0f} (joint)" in text
    summary = text[text.index("All channels"):text.index("Flows by channel", text.index(
        "All channels"))]
    assert f"{both:,.0f}" not in summary and "2022, latest" in summary  # not "only": 2 years
