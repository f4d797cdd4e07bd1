"""Generate the reference pages that tests keep in step with the code.

``python -m reciprocity.docgen`` rewrites docs/schema.md (from the table declarations) and
docs/cli.md (from the commands' help); ``--check`` fails when either page is out of date.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

DOCS = Path(__file__).resolve().parents[2] / "docs"


def schema_page() -> str:
    from reciprocity.store.schema import render_docs

    return render_docs()


def _commands(cmd: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, cmd
    for name in sorted(getattr(cmd, "commands", {}) or {}):
        yield from _commands(cmd.commands[name], [*path, name])


def cli_page() -> str:
    """Every command's usage, help and options, from the Typer app itself."""
    from reciprocity.cli.app import app

    root = typer.main.get_command(app)
    lines = ["# Command reference", "",
             "Generated from the commands' own help (`python -m reciprocity.docgen`); a test "
             "fails when this page and the code disagree.", ""]
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


PAGES = {"schema.md": schema_page, "cli.md": cli_page}


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
