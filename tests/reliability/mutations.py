"""Hostile inputs made from the real files: the mutations of the corpus tests.

Each parser's case starts from a slice of a real file (the first rows of a SIPRI register, a
WDI download, an NCSES table, an OECD SDMX file, the starter ledger, the PatentsView fixture)
and derives a bounded list of mutated copies: truncated at a byte and at a line, dropped and
repeated columns, rows repeated, other encodings, NUL bytes and stray carriage returns,
non-finite and out-of-range values, a generation date in the future. The corpus test ingests
each one and requires a refusal with a message (and the store unchanged) or an acceptance
with the default figures unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

INF_DIGITS = "1" + "0" * 400      # a number that is infinity as a double
HUGE = "1" + "0" * 23             # 1e23


@dataclass(frozen=True)
class Csv:
    """How to edit one CSV-like file: its encoding, the index of its header line, the
    delimiter, and the data line (index) whose fields the value mutations change."""

    encoding: str
    header: int
    delimiter: str = ","
    row: int | None = None


def _lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


def generic(raw: bytes, header: int) -> list[tuple[str, bytes]]:
    """Mutations of any line-based text file (``header``: index of the header line)."""
    lines = _lines(raw)
    body = [ln for ln in lines[header + 1:] if ln.strip()]
    head = lines[:header + 1]
    mid = len(raw) * 3 // 5
    out = [
        ("empty file", b""),
        ("header only", _join(head) + b"\n"),
        ("truncated at a byte (60 %)", raw[:mid]),
        ("truncated at a byte (header + 7)", raw[:len(_join(head)) + 7]),
        ("truncated at a line (half the rows)", _join(head + body[:len(body) // 2]) + b"\n"),
        ("every row repeated 5 times", _join(head + body * 5) + b"\n"),
        ("NUL byte at 80 %", raw[:len(raw) * 4 // 5] + b"\x00" + raw[len(raw) * 4 // 5:]),
        ("NUL byte after the first 64 kB" if len(raw) > 70000 else "NUL byte at the end",
         raw[:65600] + b"\x00" + raw[65600:] if len(raw) > 70000 else raw + b"\x00"),
        ("UTF-16", raw.decode("latin-1").encode("utf-16")),
        ("CRLF line ends", raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")),
    ]
    row = header + 1 + len(body) // 3
    if row < len(lines) and len(lines[row]) > 10:
        line = lines[row]
        cut = len(line) // 2
        out.append(("bare CR inside a row",
                    _join([*lines[:row], line[:cut] + b"\r" + line[cut:], *lines[row + 1:]])))
    return out


def _csv_rows(text: str, spec: Csv) -> tuple[list[str], list[list[str] | None]]:
    lines = text.split("\n")
    rows: list[list[str] | None] = []
    for i, line in enumerate(lines):
        if i < spec.header or not line.strip():
            rows.append(None)
            continue
        try:
            fields = next(csv.reader([line.rstrip("\r")], delimiter=spec.delimiter))
        except (csv.Error, StopIteration):
            fields = None
        rows.append(fields)
    return lines, rows


def _write(fields: list[str], spec: Csv) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=spec.delimiter, lineterminator="").writerow(fields)
    return buf.getvalue()


def columns(raw: bytes, spec: Csv, drop: int, repeat: int) -> list[tuple[str, bytes]]:
    """A column dropped, and a column repeated, on every line from the header on."""
    text = raw.decode(spec.encoding)
    lines, rows = _csv_rows(text, spec)
    width = len(rows[spec.header] or [])
    out = []
    for label, edit in ((f"column {drop} dropped", lambda f: f[:drop] + f[drop + 1:]),
                        (f"column {repeat} repeated",
                         lambda f: [*f[:repeat + 1], f[repeat], *f[repeat + 1:]])):
        new = [(_write(edit(r), spec) if r is not None and len(r) == width else ln)
               for ln, r in zip(lines, rows, strict=True)]
        out.append((label, "\n".join(new).encode(spec.encoding, "replace")))
    return out


def values(raw: bytes, spec: Csv, edits: list[tuple[str, int, str | Callable[[list[str]], str]]],
           need: tuple[int, ...] = ()) -> list[tuple[str, bytes]]:
    """One field of one data row set to a hostile value: ``(label, column, value)``, where the
    value may be computed from the row's fields; the row is one whose ``need`` columns are
    filled."""
    text = raw.decode(spec.encoding)
    lines, rows = _csv_rows(text, spec)
    width = len(rows[spec.header] or [])
    row = spec.row
    if row is None:
        full = [i for i, r in enumerate(rows) if i > spec.header and r and len(r) == width
                and all(r[c].strip() for c in need)]
        row = full[len(full) // 3]
    out = []
    for label, column, value in edits:
        fields = list(rows[row])
        fields[column] = value(fields) if callable(value) else value
        new = [*lines[:row], _write(fields, spec), *lines[row + 1:]]
        out.append((f"{label} (line {row + 1})", "\n".join(new).encode(spec.encoding)))
    return out


def replace_once(raw: bytes, pattern: bytes, new: bytes, label: str) -> tuple[str, bytes]:
    """The first match of ``pattern`` replaced (a regex on bytes)."""
    match = re.search(pattern, raw)
    assert match, f"{label}: {pattern!r} not found in the base file"
    return label, raw[:match.start()] + new + raw[match.end():]
