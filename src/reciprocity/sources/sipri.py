"""SIPRI Arms Transfers Database: the trade register, in both of SIPRI's CSV layouts.

Deliveries become ``arms`` flows supplier → recipient by delivery year, in millions of SIPRI
trend-indicator values (TIV; a volume measure, not money). In the classic one-row-per-deal
layout a deal's delivered TIV is split evenly over its delivery years and the split is
flagged as estimated. Quirks (headers, markers, comment patterns) live in ``data/sipri.yaml``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from reciprocity import countries, taxonomy
from reciprocity.errors import FormatError, InputError, Problem, UnknownCountryError
from reciprocity.sources.base import Parsed, Progress, Source, SourceInfo
from reciprocity.store.schema import Field, Table, register

CREDIT = "Information from the SIPRI Arms Transfers Database"
UNIT = "tiv_millions"

RECORDS = register(Table(
    name="sipri_transfers",
    description="SIPRI trade-register rows as read, one per line of the raw file, with names "
                "resolved to codes and the project's reading of mode and design origin. "
                "Classic exports have one row per deal; newer exports one per deal and "
                "delivery year (joined by `deal_id`).",
    primary_key=("vintage_id", "record_id"),
    fields=(
        Field("vintage_id", "VARCHAR", "Vintage the row belongs to.", False),
        Field("record_id", "BIGINT", "Line number of the row in the raw file (1-based).", False),
        Field("deal_id", "BIGINT", "SIPRI AT Database ID (newer layout only)."),
        Field("supplier", "VARCHAR", "Supplier as SIPRI spells it.", False),
        Field("recipient", "VARCHAR", "Recipient as SIPRI spells it.", False),
        Field("supplier_code", "VARCHAR", "Supplier code (ISO 3166 alpha-3 or the project's).",
              False),
        Field("recipient_code", "VARCHAR", "Recipient code.", False),
        Field("order_year", "INTEGER", "Year of order."),
        Field("order_year_uncertain", "BOOLEAN", "SIPRI marks the order year uncertain.", False),
        Field("number_ordered", "DOUBLE", "Number ordered (classic layout)."),
        Field("number_ordered_uncertain", "BOOLEAN", "SIPRI marks the number uncertain.", False),
        Field("designation", "VARCHAR", "Weapon designation."),
        Field("description", "VARCHAR", "Weapon description."),
        Field("armament_category", "VARCHAR", "Armament category (newer layout only)."),
        Field("number_delivered", "DOUBLE", "Number delivered (in this row's years)."),
        Field("number_delivered_uncertain", "BOOLEAN", "SIPRI marks the number uncertain.",
              False),
        Field("delivery_years", "VARCHAR", "Delivery years as given (';'-separated)."),
        Field("delivery_year_uncertain", "BOOLEAN", "SIPRI marks the year an estimate.", False),
        Field("first_delivery_year", "INTEGER", "Earliest delivery year."),
        Field("delivery_lag_years", "INTEGER", "First delivery year minus order year."),
        Field("status", "VARCHAR", "Status as SIPRI gives it (New, Second hand, …)."),
        Field("comments", "VARCHAR", "SIPRI's comments."),
        Field("tiv_per_unit", "DOUBLE", "TIV per unit.", unit="millions of TIV"),
        Field("tiv_total_order", "DOUBLE", "TIV of the whole order (classic layout).",
              unit="millions of TIV"),
        Field("tiv_delivered", "DOUBLE", "TIV delivered in this row's years; empty when no "
              "deliveries were identified.", unit="millions of TIV"),
        Field("local_production", "BOOLEAN", "Newer layout's 'Local production' column."),
        Field("mode", "VARCHAR", "The project's reading of how it was transferred.", False,
              enum=("new", "second_hand", "second_hand_modernized", "licensed_production")),
        Field("mode_evidence", "VARCHAR", "Where the mode comes from: the status, the "
              "'Local production' column, or the comment clause that names a licence."),
        Field("design_origin", "VARCHAR", "Code of the country whose design it is, where a "
              "comment says (e.g. 'US design produced in Japan for USA')."),
    ),
))


@cache
def quirks() -> dict[str, Any]:
    """The SIPRI quirks file (headers, markers, patterns)."""
    text = resources.files("reciprocity.sources").joinpath("data/sipri.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], list[re.Pattern[str]]]:
    q = quirks()
    lic = re.compile("|".join(f"(?:{p})" for p in q["licence_patterns"]), re.I)
    excl = re.compile("|".join(f"(?:{p})" for p in q["licence_exclusions"]), re.I)
    return lic, excl, [re.compile(p) for p in q["design_patterns"]]


def licence_clause(comment: str) -> str | None:
    """The comment clause that says the item was produced under licence, if any.

    Excluded phrases ("prior to licensed production", "without licence", …) are taken out of
    a clause before the licence patterns are tried, so "produced under licence (or possibly
    without licence) in China" still counts while "prior to licensed production" does not.
    """
    if not comment or "icen" not in comment.lower():
        return None
    lic, excl, _ = _patterns()
    for clause in comment.split(";"):
        if lic.search(excl.sub(" ", clause)):
            return clause.strip()
    return None


def design_origin(comment: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """Code of the design's country where the comment states it."""
    if not comment or "esign" not in comment:
        return None
    for pattern in _patterns()[2]:
        for match in pattern.finditer(comment):
            word = match.group(1)
            country = countries.from_demonym(word) or countries.lookup(word, aliases)
            if country is None and " " in word:
                first = word.split(" ")[0]
                country = countries.from_demonym(first) or countries.lookup(first, aliases)
            if country is not None:
                return country.code
    return None


class SipriSource(Source):
    """Reader for SIPRI trade-register CSV exports (classic and per-delivery-year layouts)."""

    info = SourceInfo(
        name="sipri",
        dataset="sipri_arms_transfers",
        title="SIPRI Arms Transfers Database (trade register)",
        publisher="Stockholm International Peace Research Institute (SIPRI)",
        url="https://www.sipri.org/databases/armstransfers",
        licence="SIPRI terms of use: free for non-commercial use with the credit line",
        credit=CREDIT,
        channels=("arms",),
    )
    record_table = RECORDS
    record_key = ("supplier_code", "recipient_code", "order_year", "designation")

    def sniff(self, head: str) -> str | None:
        lines = head.splitlines()
        n = quirks()["preamble_lines"]
        if len(lines) <= n:
            return None
        header = next(csv.reader([lines[n]]))
        for name, layout in quirks()["layouts"].items():
            if header == layout["header"]:
                return name
        return None

    # -- reading ----------------------------------------------------------------------------
    def read(self, path: Path, aliases: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Parsed:
        raw = Path(path).read_bytes()
        name = Path(path).name
        layout_name = self._detect(raw, name)
        layout = quirks()["layouts"][layout_name]
        text = self._decode(raw, layout["encoding"], name)
        notes: dict[str, int] = {}
        # A bare carriage return inside a comment (seen in the March 2025 export) would end
        # the record for the csv module: it becomes a space, and is counted.
        stray = len(re.findall(r"\r(?!\n)", text))
        if stray:
            text = re.sub(r"\r(?!\n)", " ", text)
            notes["stray_carriage_returns_replaced"] = stray
        lines = text.split("\n")
        n = quirks()["preamble_lines"]
        preamble = [ln.strip() for ln in lines[:n]]
        rows, line_numbers = self._rows(lines[n + 1:], n + 2, len(layout["header"]), name,
                                        progress, notes)
        frame = pd.DataFrame(rows, columns=layout["fields"], dtype=object)
        frame.insert(0, "record_id", np.asarray(line_numbers, dtype=np.int64))
        records = self._normalise(frame, layout_name, name, aliases, notes)
        flows = self._flows(records, layout_name, notes)
        scope = preamble[0] if preamble else None
        return Parsed(
            layout=layout_name,
            generated_at=_generated_at(preamble),
            scope=scope,
            is_complete=bool(scope and _is_complete(scope)),
            rows_read=len(frame),
            records={RECORDS.name: records},
            flows=flows,
            notes=notes,
        )

    def _detect(self, raw: bytes, name: str) -> str:
        if b"\x00" in raw[:65536]:
            line = raw[:raw.index(b"\x00")].count(b"\n") + 1
            raise FormatError(
                f"{name}: wrong encoding",
                [Problem(f"{name}, line {line}", "NUL bytes (UTF-16 or a binary file)",
                         "a SIPRI CSV export as downloaded (Latin-1 or UTF-8 text)")])
        head = raw[:16384].decode("latin-1")
        layout = self.sniff(head)
        if layout:
            return layout
        n = quirks()["preamble_lines"]
        lines = head.splitlines()
        found = lines[n][:120] if len(lines) > n else f"only {len(lines)} line(s)"
        expected = " or ".join(
            repr(",".join(lo["header"][:3]) + ",…") for lo in quirks()["layouts"].values())
        problems = [Problem(f"{name}, line {n + 1}", repr(found),
                            f"the header of a SIPRI trade-register export: {expected}")]
        if not any("SIPRI" in ln for ln in lines[:n]):
            problems.insert(0, Problem(f"{name}, lines 1-{n}", "no SIPRI preamble",
                                       "SIPRI's 11-line preamble ('Source: SIPRI Arms "
                                       "Transfers Database', 'Data generated: …')"))
        raise FormatError(f"{name} is not a SIPRI trade-register export", problems)

    @staticmethod
    def _decode(raw: bytes, encoding: str, name: str) -> str:
        if encoding == "latin-1":
            # Latin-1 decodes any byte: catch files re-saved as UTF-8 by their multi-byte runs.
            if re.search(rb"[\xc2-\xf4][\x80-\xbf]", raw):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    pass
                else:
                    line = raw[:re.search(rb"[\xc2-\xf4][\x80-\xbf]", raw).start()].count(b"\n")
                    raise FormatError(f"{name}: wrong encoding", [Problem(
                        f"{name}, line {line + 1}", "UTF-8 text (the file was re-saved)",
                        "Latin-1 text as SIPRI exports it; download the file again, or convert "
                        "it with: iconv -f utf-8 -t latin1")])
            return raw.decode("latin-1")
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise FormatError(f"{name}: wrong encoding", [Problem(
                f"{name}, line {line}", f"byte {raw[exc.start]:#04x} that is not {encoding}",
                f"{encoding} text as SIPRI exports this layout")]) from None

    @staticmethod
    def _rows(lines: list[str], first_line: int, width: int, name: str,
              progress: Progress | None, notes: dict[str, int]
              ) -> tuple[list[list[str]], list[int]]:
        """Data rows and their first line numbers.

        SIPRI's exports sometimes break a comment with an unquoted line break, so one record
        spans two lines (seen four times in the March 2025 export): two consecutive short
        rows whose fields add up to the header's are joined, and counted. Any other row
        whose width differs from the header's is an error.
        """
        rows: list[list[str]] = []
        numbers: list[int] = []
        problems: list[Problem] = []
        reader = csv.reader(io.StringIO("\n".join(lines), newline=""), strict=True)
        start = 1
        total = len(lines)
        pending: tuple[list[str], int] | None = None
        rejoined = 0
        try:
            for row in reader:
                line = first_line + start - 1
                start = reader.line_num + 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if pending is not None:
                    head, head_line = pending
                    pending = None
                    if len(head) + len(row) - 1 == width:
                        row = [*head[:-1], f"{head[-1]} {row[0]}".strip(), *row[1:]]
                        line = head_line
                        rejoined += 1
                    else:
                        problems.append(Problem(f"{name}, line {head_line}",
                                                f"{len(head)} fields",
                                                f"{width} fields as in the header"))
                if len(row) < width and pending is None and line == first_line + start - 2:
                    pending = (row, line)
                    continue
                if len(row) != width:
                    problems.append(Problem(f"{name}, line {line}", f"{len(row)} fields",
                                            f"{width} fields as in the header"))
                    continue
                rows.append(row)
                numbers.append(line)
                if progress and len(rows) % 5000 == 0:
                    progress(start, total)
        except csv.Error as exc:
            problems.append(Problem(f"{name}, line {first_line + start - 1}",
                                    f"broken CSV ({exc})",
                                    "complete, properly quoted rows (is the file truncated?)"))
        if pending is not None:
            head, head_line = pending
            problems.append(Problem(f"{name}, line {head_line}", f"{len(head)} fields at the "
                                    "end of the file", f"{width} fields (is the file "
                                    "truncated?)"))
        if progress:
            progress(total, total)
        if problems:
            raise FormatError(f"{name}: {len(problems)} malformed row(s)", problems)
        if not rows:
            raise FormatError(f"{name}: no data rows", [Problem(
                f"{name}, line {first_line}", "end of file after the header",
                "one row per transfer (is the file truncated?)")])
        if rejoined:
            notes["records_rejoined_after_line_break_in_comment"] = rejoined
        return rows, numbers

    def _normalise(self, frame: pd.DataFrame, layout: str, name: str,
                   aliases: Mapping[str, str] | None, notes: dict[str, int]) -> pd.DataFrame:
        q = quirks()
        problems: list[Problem] = []
        lines = frame["record_id"]
        out = pd.DataFrame({"record_id": lines})
        str_col = {c: frame[c].str.strip() for c in frame.columns if c != "record_id"}

        def number(col: str, integer: bool = False) -> pd.Series:
            raw = str_col[col]
            values = pd.to_numeric(raw.where(raw != ""), errors="coerce")
            bad = values.isna() & (raw != "")
            if integer:
                bad |= values.notna() & (values != values.round())
            if bad.any():
                for idx in frame.index[bad][:10]:
                    problems.append(Problem(f"{name}, line {lines[idx]}, {col}",
                                            repr(frame.at[idx, col]),
                                            "a whole number" if integer else "a number"))
            return values

        def flag(col: str) -> pd.Series:
            return str_col[col].isin(q["uncertain_markers"])

        # countries, all unknown names listed at once with the first line they appear on
        names = pd.concat([str_col["supplier"], str_col["recipient"]])
        unique = names.unique().tolist()
        resolved = {n: countries.lookup(n, aliases) for n in unique}
        unknown = [n for n, c in resolved.items() if c is None]
        if unknown:
            both = pd.concat([lines, lines])
            first = {n: f"{name}, line {int(both[names == n].min())}" for n in unknown}
            raise UnknownCountryError(unknown, where=name, locations=first)
        codes = {n: c.code for n, c in resolved.items()}

        is_new = layout == "per_delivery_year"
        out["deal_id"] = number("deal_id", True).astype("Int64") if is_new else pd.NA
        out["supplier"] = str_col["supplier"]
        out["recipient"] = str_col["recipient"]
        out["supplier_code"] = out["supplier"].map(codes)
        out["recipient_code"] = out["recipient"].map(codes)
        out["order_year"] = number("order_year", True).astype("Int64")
        out["order_year_uncertain"] = flag("order_year_uncertain")
        out["number_ordered"] = np.nan if is_new else number("number_ordered")
        out["number_ordered_uncertain"] = False if is_new else flag("number_ordered_uncertain")
        out["designation"] = str_col["designation"]
        out["description"] = str_col["description"]
        out["armament_category"] = str_col["armament_category"] if is_new else None
        out["number_delivered"] = number("number_delivered")
        out["number_delivered_uncertain"] = flag("number_delivered_uncertain")
        years = str_col["delivery_years"].str.replace(r"\s*[;,]\s*", "; ", regex=True)
        out["delivery_years"] = years.where(years != "")
        out["delivery_year_uncertain"] = flag("delivery_year_uncertain") if is_new else False
        year_lists = years.str.split("; ")
        exploded = year_lists.explode()
        exploded = exploded[exploded.notna() & (exploded != "")]
        year_values = pd.to_numeric(exploded, errors="coerce")
        bad_years = year_values.isna() | (year_values != year_values.round())
        for idx in exploded.index[bad_years].unique()[:10]:
            problems.append(Problem(f"{name}, line {lines[idx]}, delivery years",
                                    repr(frame.at[idx, "delivery_years"]),
                                    "years such as '1990; 1991'"))
        first_year = year_values[~bad_years].groupby(level=0).min()
        out["first_delivery_year"] = first_year.reindex(out.index).astype("Int64")
        out["delivery_lag_years"] = out["first_delivery_year"] - out["order_year"]
        out["status"] = str_col["status"]
        out["comments"] = None if is_new else str_col["comments"].where(
            str_col["comments"] != "")
        out["tiv_per_unit"] = number("tiv_per_unit")
        out["tiv_total_order"] = np.nan if is_new else number("tiv_total_order")
        out["tiv_delivered"] = number("tiv_delivered")
        out["local_production"] = (str_col["local_production"].str.lower() == "yes"
                                   ) if is_new else None

        status_mode = out["status"].map(q["status_modes"])
        bad_status = status_mode.isna()
        for idx in frame.index[bad_status][:10]:
            problems.append(Problem(f"{name}, line {lines[idx]}, status",
                                    repr(out.at[idx, "status"]),
                                    f"one of {sorted(q['status_modes'])}"))
        if problems:
            raise InputError(f"{name}: {len(problems)} value(s) that cannot be read", problems)

        mode = status_mode.copy()
        evidence = "status: " + out["status"]
        if is_new:
            local = out["local_production"].fillna(False).astype(bool)
            mode[local] = "licensed_production"
            evidence[local] = "Local production: Yes"
        else:
            clauses = out["comments"].fillna("").map(licence_clause)
            licensed = clauses.notna()
            mode[licensed] = "licensed_production"
            evidence[licensed] = "comment: " + clauses[licensed]
        out["mode"] = mode
        out["mode_evidence"] = evidence
        out["design_origin"] = (
            out["comments"].fillna("").map(lambda c: design_origin(c, aliases))
            if not is_new else None)
        notes["records"] = len(out)
        notes["licensed_production_records"] = int((mode == "licensed_production").sum())
        notes["records_without_deliveries"] = int(out["tiv_delivered"].isna().sum()
                                                  + (out["delivery_years"].isna()
                                                     & out["tiv_delivered"].notna()).sum())
        unknown_codes = {"UNK", "NSA-UNKNOWN"}
        notes["records_with_unknown_party"] = int(
            (out["supplier_code"].isin(unknown_codes) | out["recipient_code"].isin(
                unknown_codes)).sum())
        return out.loc[:, [c for c in RECORDS.columns if c != "vintage_id"]]

    @staticmethod
    def _flows(records: pd.DataFrame, layout: str, notes: dict[str, int]) -> pd.DataFrame:
        has = records["tiv_delivered"].notna() & records["delivery_years"].notna()
        rec = records[has]
        years = rec["delivery_years"].str.split("; ")
        n_years = years.str.len()
        exploded = years.explode()
        base = rec.loc[exploded.index]
        share = base["tiv_delivered"] / n_years.loc[exploded.index]
        uncertain = (base["order_year_uncertain"] | base["number_delivered_uncertain"]
                     | base["number_ordered_uncertain"] | base["delivery_year_uncertain"])
        flows = pd.DataFrame({
            "channel": "arms",
            "origin": base["supplier_code"].to_numpy(),
            "destination": base["recipient_code"].to_numpy(),
            "year": exploded.astype(int).to_numpy(),
            "area": taxonomy.area_for_sipri(base["description"]).to_numpy(dtype=object),
            "magnitude": share.to_numpy(dtype=float),
            "unit": UNIT,
            "mode": base["mode"].to_numpy(),
            "is_estimated": (n_years.loc[exploded.index] > 1).to_numpy(),
            "is_uncertain": uncertain.to_numpy(dtype=bool),
            "design_origin": base["design_origin"].to_numpy(),
            "record_id": base["record_id"].to_numpy(dtype=np.int64),
        })
        notes["flows"] = len(flows)
        notes["flows_split_over_years"] = int(flows["is_estimated"].sum())
        notes["flows_unmapped_area"] = int(flows["area"].isna().sum())
        return flows.reset_index(drop=True)


_MONTHS = "%d %b %Y %I:%M:%S %p"


def _generated_at(preamble: list[str]) -> datetime | None:
    for line in preamble:
        match = re.match(r"Data generated:\s*(.+)", line)
        if match:
            stamp = re.sub(r"\s+", " ", match.group(1)).strip()
            for fmt in (_MONTHS, "%d %B %Y %I:%M:%S %p", "%d %b %Y", "%d %B %Y"):
                try:
                    return datetime.strptime(stamp, fmt)
                except ValueError:
                    continue
    return None


def _is_complete(scope: str) -> bool:
    """True when the export covers all suppliers, all recipients and all years."""
    text = re.sub(r"\s+", " ", scope)
    return ("from All countries to All countries" in text
            and "'Not specified' to 'Not specified'" in text)


SOURCE = SipriSource()
