"""Generate the reference pages that tests keep in step with the code.

``python -m reciprocity.docgen`` rewrites docs/schema.md (from the table declarations),
docs/cli.md (from the commands' help), docs/settings.md (from
:class:`reciprocity.settings.Settings`) and the generated blocks of docs/sources.md (from the
sources' YAML, :mod:`reciprocity.sources.describe`); ``--check`` fails when any page is out
of date.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

DOCS = Path(__file__).resolve().parents[2] / "docs"


def schema_page() -> str:
    from reciprocity.api import store_tables
    from reciprocity.store.schema import render_docs

    return render_docs(store_tables())


def _commands(cmd: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, cmd
    for name in sorted(getattr(cmd, "commands", {}) or {}):
        yield from _commands(cmd.commands[name], [*path, name])


CLI_CONVENTIONS = """\
## Output

- **Tables** are for people: headings and names in words (`Two-way index`, `licensed
  production`, `TIV, millions`: one list, `reciprocity.labels`), numbers by their unit
  (money in millions without cents, whole counts as integers, fractional counts and TIV to
  one decimal, indices and ratios to three decimals), dates as `YYYY-MM-DD`, an empty cell
  for a missing value. Each table shows the columns that fit a 100-column terminal
  (`$COLUMNS`, else the terminal's width; 160 in logs and pipes) without breaking a word;
  `--wide` shows every column.
- **JSON and CSV** are for programs: every column, machine names (`gl_index`,
  `licensed_production`, `tiv_millions`) and raw values.
- **Credit lines in CSV**: the last column, `credit`, holds on each row the credit line(s)
  of exactly the dataset(s) behind that row (several joined by ` · `). A column rather than
  `#` comment lines, which many CSV readers reject or read as data. JSON carries them in
  `credits`; tables print them under the table.
- `dyad --window N` adds to each year of the table and the CSV the sums over the N years
  ending there (`rolling_start`, `rolling_ab`, `rolling_ba`) and their two-way index
  (`rolling_gl_index`); JSON always has them in `by_window` (5 years unless given).

## Errors and exit codes

Every error goes to standard error as `Input error: …` or `Error: …` (then a line per
problem found in a file), saying what was found and what was expected; a name the tool does
not know comes with the closest known one:
`unknown channel 'arm'; did you mean 'arms'? (one of arms, citation, …)`,
`unknown country 'Japna'; did you mean Japan (JPN)?`.

| code | meaning |
| --- | --- |
""".splitlines() + [f"| {code} | {meaning} |" for code, meaning in (
    (0, "done"),
    (1, "any other error (e.g. the demo will not replace a store it did not make), or an "
        "unexpected one (a bug: please report it with the command)"),
    (2, "bad input: an option, value or file the tool cannot use (Click's own usage errors "
        "too), or a name it does not know (country, channel, mode, area, source, vintage, "
        "ranking), with the closest suggestion; also a store busy with another process"),
    (3, "not found: something asked for that does not exist (no store at the path, a ledger "
        "record or user, a second vintage to compare with)"),
    (4, "a download failed (the message says how to get the file by hand)"),
)] + [""]
"""The page's opening: the output conventions and the exit codes of every command."""


def cli_page() -> str:
    """Every command's usage, help and options, from the Typer app itself."""
    from reciprocity.cli.app import app

    root = typer.main.get_command(app)
    lines = ["# Command reference", "",
             "Generated from the commands' own help (`python -m reciprocity.docgen`); a test "
             "fails when this page and the code disagree.", "", *CLI_CONVENTIONS]
    for path, cmd in _commands(root, ["reciprocity"]):
        ctx = typer.Context(cmd, info_name=" ".join(path))
        lines += [f"## `{' '.join(path)}`", ""]
        if cmd.help:
            lines += [cmd.help.strip(), ""]
        usage = cmd.collect_usage_pieces(ctx)
        lines += ["```", f"{' '.join(path)} {' '.join(usage)}".rstrip(), "```", ""]
        rows = []
        for param in cmd.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                if getattr(param, "param_type_name", "") == "argument":
                    rows.append((param.human_readable_name, getattr(param, "help", "") or ""))
                continue
            rows.append(record)
        if rows:
            lines += ["| option | meaning |", "| --- | --- |"]
            lines += [f"| `{name.replace('|', '/')}` | {text.replace('|', '/')} |"
                      for name, text in rows]
            lines.append("")
    return "\n".join(lines)


def sources_page() -> str:
    """docs/sources.md with its generated blocks filled from the sources' YAML."""
    from reciprocity.queries import catalog
    from reciprocity.sources.describe import fill

    infos = {name: source.info for name, source in catalog.all_sources().items()}
    return fill((DOCS / "sources.md").read_text(encoding="utf-8"), infos)


def settings_page() -> str:
    from reciprocity.settings import docs_page

    return docs_page()


PAGES = {"schema.md": schema_page, "cli.md": cli_page, "settings.md": settings_page,
         "sources.md": sources_page}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    stale = []
    for name, render in PAGES.items():
        path = DOCS / name
        text = render()
        if "--check" in args:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
