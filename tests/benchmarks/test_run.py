"""BENCHMARKS.md as ``benchmarks/run.py`` writes it again: hand-written notes survive."""

from __future__ import annotations

from pathlib import Path

from bench_helpers import bench_module


def test_notes_after_a_section_are_kept_by_section(tmp_path: Path) -> None:
    run = bench_module("run")
    page = tmp_path / "BENCHMARKS.md"
    page.write_text(
        "# Benchmarks\n\n<!-- section: diff -->\n## diff\n\nfigures\n<!-- end: diff -->\n\n"
        "A note on diff, written by hand.\n\nIts second paragraph.\n\n"
        "<!-- section: startup -->\n## startup\n<!-- end: startup -->\n\n"
        "<!-- section: load -->\n## load\n<!-- end: load -->\n\nThe last note.\n")
    notes = run._notes(page)
    assert notes == {"diff": ["A note on diff, written by hand.", "", "Its second paragraph.", ""],
                     "load": ["The last note.", ""]}
    assert run._notes(tmp_path / "absent.md") == {}
