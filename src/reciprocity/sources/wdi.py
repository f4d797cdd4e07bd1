"""World Bank World Development Indicators: one indicator per CSV file, two layouts.

Country-level series (not pair flows) go to the ``indicators`` table: e.g. charges for the use
of intellectual property, payments (``BM.GSR.ROYL.CD``) and receipts (``BX.GSR.ROYL.CD``),
high-technology exports, R&D expenditure and researchers per million. Regional and income
aggregates ("World", "High income", …) keep their WDI code and are flagged ``is_aggregate``;
they never resolve as countries. Each indicator is its own dataset
(``world_bank_wdi:<code>``), so a newer download of one series replaces only that series.
Layouts, aggregates and units live in ``data/wdi.yaml``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reciprocity import countries
from reciprocity.errors import FormatError, InputError, Problem
from reciprocity.sources.base import Parsed, Progress, Source, load_info, load_quirks
from reciprocity.store import tables
from reciprocity.store.lineage import country_code, record_table
from reciprocity.store.schema import Field, register

if TYPE_CHECKING:  # pandas loads when a file is read, not when the module is imported
    import pandas as pd

RECORDS = register(record_table(
    name="wdi_rows",
    description="WDI rows as read: one per line of the raw file (an economy and an indicator), "
                "with the economy resolved to a country code or flagged as an aggregate.",
    record="Line number of the row in the raw file (1-based).",
    fields=(
        Field("country_name", "VARCHAR", "Economy as WDI names it.", False),
        Field("country_code", "VARCHAR", "Economy code as WDI writes it.", False),
        country_code("; for an aggregate, WDI's code"),
        Field("is_aggregate", "BOOLEAN", "A regional, income or lending aggregate.", False),
        Field("indicator_name", "VARCHAR", "Indicator name as WDI gives it.", False),
        Field("indicator_code", "VARCHAR", "Indicator code, e.g. `BM.GSR.ROYL.CD`.", False),
        Field("first_year", "INTEGER", "First year with a value."),
        Field("last_year", "INTEGER", "Last year with a value."),
        Field("n_values", "INTEGER", "Years with a value.", False),
    ),
))



def quirks() -> dict[str, Any]:
    """The WDI quirks file (layouts, aggregates, units)."""
    return load_quirks("wdi")


def aggregate_codes() -> dict[str, str]:
    """WDI aggregate code → name."""
    return dict(quirks()["aggregates"])


def aggregate_code(name_or_code: str) -> str | None:
    """The WDI code of an aggregate given by code or name ('WLD', 'World'), else None."""
    text = " ".join(str(name_or_code).split()).casefold()
    for code, name in aggregate_codes().items():
        if text in (code.casefold(), name.casefold()):
            return code
    return None


def unit_of(code: str, name: str) -> str:
    """The unit of an indicator: from the catalogue, else from its name, else as published."""
    known = quirks()["indicators"].get(code)
    if known:
        return known["unit"]
    for pattern, unit in quirks()["unit_patterns"].items():
        if pattern in name:
            return unit
    return "as_published"


def empty_flows() -> pd.DataFrame:
    """A flows frame with no rows (sources of country-level data derive no pair flows)."""
    import pandas as pd

    cols = [c for c in tables.FLOWS.columns if c not in ("dataset", "vintage_id")]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


class WdiSource(Source):
    """Reader for WDI per-indicator CSV files (2013 re-export and the World Bank download)."""

    info = load_info("wdi")
    record_table = RECORDS
    record_key = ("indicator_code", "code")

    def sniff(self, head: str) -> str | None:
        lines = head.lstrip("\ufeff").splitlines()
        if not lines:
            return None
        ids = quirks()["id_columns"]
        first = next(csv.reader([lines[0]]), [])
        if first[:4] == ids:
            return "wide_plain"
        api = quirks()["layouts"]["api_download"]
        n = api["preamble_lines"]
        if first[:1] == [api["preamble_first"]] and len(lines) > n:
            header = next(csv.reader([lines[n]]), [])
            if header[:4] == ids:
                return "api_download"
        return None

    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        name = Path(path).name
        text = _decode(Path(path).read_bytes(), name)
        layout = self._detect(text, name)
        lines = text.split("\n")
        n = quirks()["layouts"][layout]["preamble_lines"]
        generated = _updated(lines[:n]) if n else None
        rows, numbers, header = _rows(lines, n, name)
        if progress:
            progress(len(lines), len(lines))
        indicators, records, notes = self._parse(rows, numbers, header, name, aliases)
        codes = sorted(records["indicator_code"].unique())
        code = codes[0]
        ind_name = records["indicator_name"].iloc[0]
        return Parsed(
            layout=layout,
            generated_at=generated,
            scope=f"{ind_name} ({code}), all economies"
                  + ("" if generated else "; no generation date in the file"),
            is_complete=True,
            rows_read=len(rows),
            records={RECORDS.name: records},
            flows=empty_flows(),
            notes=notes,
            indicators=indicators,
            dataset_part=code,
            dataset_title=f"World Bank WDI: {ind_name} ({code})",
        )

    def _detect(self, text: str, name: str) -> str:
        layout = self.sniff(text[:16384])
        if layout:
            return layout
        lines = text[:16384].splitlines()
        first = next(csv.reader(lines[:1]), []) if lines else []
        for other in quirks()["other_layouts"]:
            for i in range(min(len(lines), 6)):
                header = next(csv.reader([lines[i]]), [])
                if header[:4] == other["header_start"]:
                    raise FormatError(f"{name} is {other['name']}, not a WDI indicator CSV", [
                        Problem(f"{name}, line {i + 1}", repr(",".join(header[:4]) + ",…"),
                                f"{','.join(quirks()['id_columns'])},<years>; "
                                + " ".join(other["advice"].split()))])
        expected = (f"a header {','.join(quirks()['id_columns'])},1960,… on line 1, or the "
                    "World Bank download's 4 preamble lines ('\"Data Source\",\"World "
                    "Development Indicators\"', …) and that header on line 5")
        found = repr(",".join(first)[:120]) if first else "an empty file"
        raise FormatError(f"{name} is not a World Bank WDI indicator CSV",
                          [Problem(f"{name}, line 1", found, expected)])

    @staticmethod
    def _parse(rows: list[list[str]], numbers: list[int], header: list[str], name: str,
               aliases: Mapping[str, str] | None
               ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
        import numpy as np
        import pandas as pd

        problems: list[Problem] = []
        years = [int(h) for h in header[4:] if h.strip()]
        frame = pd.DataFrame([r[:4 + len(years)] for r in rows],
                             columns=["country_name", "country_code", "indicator_name",
                                      "indicator_code", *map(str, years)], dtype=object)
        frame.insert(0, "record_id", np.asarray(numbers, dtype=np.int64))
        for col in ("country_name", "country_code", "indicator_name", "indicator_code"):
            frame[col] = frame[col].str.strip()
        codes = frame["indicator_code"].unique().tolist()
        if len(codes) != 1:
            firsts = {c: int(frame.loc[frame["indicator_code"] == c, "record_id"].min())
                      for c in codes}
            raise FormatError(f"{name} holds {len(codes)} indicators; this reader takes one "
                              "indicator per file (as the World Bank's per-indicator download "
                              "has it)", [Problem(f"{name}, line {line}", f"indicator {c!r}",
                                                  f"only {codes[0]!r}")
                                          for c, line in list(firsts.items())[1:10]])
        # economies: aggregates by code (then name), countries by name (then code)
        agg_codes = aggregate_codes()
        agg_names = {n.casefold(): c for c, n in agg_codes.items()}
        old_names = {n.casefold() for n in quirks()["aggregate_names"]}
        resolved: dict[int, tuple[str, bool]] = {}
        unknown: dict[str, str] = {}
        for idx, cname, ccode, line in zip(frame.index, frame["country_name"],
                                           frame["country_code"], frame["record_id"],
                                           strict=True):
            if ccode in agg_codes or cname.casefold() in old_names:
                resolved[idx] = (ccode, True)
                continue
            if cname.casefold() in agg_names:
                resolved[idx] = (agg_names[cname.casefold()], True)
                continue
            country = countries.lookup(cname, aliases) or countries.lookup(ccode, aliases)
            if country is None:
                unknown.setdefault(f"{cname} ({ccode})", f"{name}, line {line}")
            else:
                resolved[idx] = (country.code, False)
        if unknown:
            raise countries.unknown_countries(list(unknown), where=name, locations=unknown)
        frame["code"] = [resolved[i][0] for i in frame.index]
        frame["is_aggregate"] = [resolved[i][1] for i in frame.index]

        # values: wide → long, every bad cell listed
        long = frame.melt(id_vars=["record_id", "code", "is_aggregate", "indicator_code",
                                   "indicator_name"], value_vars=[str(y) for y in years],
                          var_name="year", value_name="raw")
        long["raw"] = long["raw"].fillna("").str.strip()
        long = long[long["raw"] != ""]
        values = pd.to_numeric(long["raw"], errors="coerce")
        bad = values.isna()
        for _, row in long[bad].head(10).iterrows():
            problems.append(Problem(f"{name}, line {row['record_id']}, {row['year']}",
                                    repr(row["raw"]), "a number or an empty cell"))
        if problems:
            raise InputError(f"{name}: {int(bad.sum())} value(s) that are not numbers",
                             problems)
        unit = unit_of(codes[0], frame["indicator_name"].iloc[0])
        lo, hi = quirks().get("unit_ranges", {}).get(unit, (-np.inf, np.inf))
        wrong = ~np.isfinite(values) | (values < lo) | (values > hi)
        for _, row in long[wrong].head(10).iterrows():
            problems.append(Problem(f"{name}, line {row['record_id']}, {row['year']}",
                                    repr(row["raw"]), "a finite number" + (
                                        f" from {lo:g} to {hi:g} ({unit})"
                                        if np.isfinite(lo) else "")))
        if problems:
            raise InputError(f"{name}: {int(wrong.sum())} implausible value(s)", problems)
        dupes = frame[frame.duplicated(["code", "is_aggregate"], keep=False)]
        if len(dupes):
            raise FormatError(f"{name}: an economy appears twice", [
                Problem(f"{name}, line {r['record_id']}", repr(r["country_name"]),
                        "one row per economy") for _, r in dupes.head(10).iterrows()])
        code = codes[0]
        indicators = pd.DataFrame({
            "indicator": code,
            "country": long["code"].to_numpy(dtype=object),
            "is_aggregate": long["is_aggregate"].to_numpy(dtype=bool),
            "year": long["year"].astype(int).to_numpy(),
            "value": values.to_numpy(dtype=float),
            "unit": unit,
            "record_id": long["record_id"].to_numpy(dtype=np.int64),
        }).sort_values(["record_id", "year"]).reset_index(drop=True)
        per_row = indicators.groupby("record_id")["year"].agg(["min", "max", "count"])
        records = frame.loc[:, ["record_id", "country_name", "country_code", "code",
                                "is_aggregate", "indicator_name", "indicator_code"]].copy()
        records["first_year"] = records["record_id"].map(per_row["min"]).astype("Int64")
        records["last_year"] = records["record_id"].map(per_row["max"]).astype("Int64")
        records["n_values"] = records["record_id"].map(per_row["count"]).fillna(0).astype(int)
        notes = {
            "economies": len(frame),
            "countries": int((~frame["is_aggregate"]).sum()),
            "aggregates": int(frame["is_aggregate"].sum()),
            "indicator_values": len(indicators),
            "economies_without_values": int((records["n_values"] == 0).sum()),
        }
        return indicators, records, notes


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        line = raw[:raw.index(b"\x00")].count(b"\n") + 1
        raise FormatError(f"{name}: wrong encoding", [Problem(
            f"{name}, line {line}", "NUL bytes (UTF-16 or a binary file, e.g. a zip or Excel "
            "file)", "a CSV file as the World Bank serves it (UTF-8)")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _updated(preamble: list[str]) -> datetime | None:
    label = quirks()["layouts"]["api_download"]["updated_label"]
    for line in preamble:
        cells = next(csv.reader([line]), [])
        if cells[:1] == [label] and len(cells) > 1:
            try:
                return datetime.strptime(cells[1].strip(), "%Y-%m-%d")
            except ValueError:
                return None
    return None


def _rows(lines: list[str], preamble: int, name: str
          ) -> tuple[list[list[str]], list[int], list[str]]:
    """Data rows with their line numbers, and the header (years checked)."""
    reader = csv.reader(io.StringIO("\n".join(lines[preamble:])), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FormatError(f"{name}: no header", [Problem(f"{name}, line {preamble + 1}",
                                                         "nothing", "the header row")]) from None
    while header and not header[-1].strip():
        header = header[:-1]
    bad = [h for h in header[4:] if not re.fullmatch(r"\d{4}", h.strip())]
    if bad:
        raise FormatError(f"{name}: the header's year columns are not years", [Problem(
            f"{name}, line {preamble + 1}", f"columns {bad[:5]}", "years such as 1960, 1961, …")])
    years = [h.strip() for h in header[4:]]
    repeated = sorted({y for y in years if years.count(y) > 1})
    if repeated:
        raise FormatError(f"{name}: a year column appears twice", [Problem(
            f"{name}, line {preamble + 1}", f"year column(s) {repeated[:5]} repeated",
            "each year once, in order")])
    width = len(header)
    rows, numbers = [], []
    try:
        for row in reader:
            line = preamble + reader.line_num
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) == width + 1 and not row[-1].strip():
                row = row[:-1]
            if len(row) != width:
                problems.append(Problem(f"{name}, line {line}", f"{len(row)} fields",
                                        f"{width} fields as in the header"))
                continue
            rows.append(row)
            numbers.append(line)
    except csv.Error as exc:
        problems.append(Problem(f"{name}, line {preamble + reader.line_num}",
                                f"broken CSV ({exc})", "complete, properly quoted rows"))
    if problems:
        raise FormatError(f"{name}: {len(problems)} malformed row(s)", problems[:25])
    if not rows:
        raise FormatError(f"{name}: no data rows", [Problem(
            f"{name}, line {preamble + 2}", "end of file after the header",
            "one row per economy (is the file truncated?)")])
    return rows, numbers, header


SOURCE = WdiSource()
