"""One number formatter (labels.fmt, by unit): the briefing, the web pair page and the CLI's
dyad output print the same figure the same way."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from reciprocity.api import Reciprocity
from reciprocity.report import builder
from reciprocity.web.app import create_app


def _cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


def _row(page: str, table_id: str, first_cell: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, flags=re.S).group(0)
    rows = [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
    return next(r for r in rows if r and r[0].startswith(first_cell))


def test_briefing_web_page_and_cli_print_the_arms_totals_alike(
        web_report_store: Path, run_main) -> None:
    with Reciprocity(web_report_store, read_only=True) as r:
        arms = r.dyad("USA", "JPN").to_dict()["channels"]["arms"]
        briefing = builder.render_html(r, "USA", "JPN")
    # the figures by the rule: million TIV to one decimal (a whole 1615.0 too), index to 3
    ab = f"{arms['flow_ab']:,.1f}"
    ba = f"{arms['flow_ba']:,.1f}"
    gl = f"{arms['gl_index']:.3f}"
    assert re.fullmatch(r"[\d,]+\.\d", ab) and re.fullmatch(r"\d\.\d{3}", gl)

    with TestClient(create_app(web_report_store, read_only=True, secret="test")) as client:
        page = client.get("/pair?a=USA&b=JPN").text
    web = _row(page, "summary", "Major arms")
    brief = _row(briefing, "summary-table", "Major arms")
    cli = run_main("--db", web_report_store, "dyad", "USA", "JPN")
    assert cli.exit_code == 0, cli.output
    line = next(x for x in cli.output.splitlines() if x.startswith("Arms total"))

    assert web[2:4] == [ab, ba] and web[5] == gl, web
    assert brief[1:4] == [ab, ba, gl], brief
    assert f"USA→JPN {ab}, JPN→USA {ba} " in line and line.endswith(f"two-way index {gl}")
    # the headline sentence (web page and briefing) words the same figures
    sentence = f"sent Japan {ab} million TIV of major arms and received {ba}"
    assert sentence in html.unescape(page) and sentence in html.unescape(briefing)
