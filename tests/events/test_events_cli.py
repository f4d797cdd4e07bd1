"""``reciprocity events …`` end to end: `events A B` beside the subcommands, the formats,
and exit code 2 with nothing written on bad input."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reciprocity.api import Reciprocity
from reciprocity.cli.app import main


def _main(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(db), *args])
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err


def test_pair_listing_and_subcommands(capsys: pytest.CaptureFixture[str], events_db: Path,
                                      events_file: Callable[..., Path]) -> None:
    code, out, _ = _main(capsys, events_db, "events", "import", str(events_file()))
    assert code == 0 and "4 added" in out
    code, out, _ = _main(capsys, events_db, "events", "USA", "JPN", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["a"], data["b"]) == ("USA", "JPN")
    assert [e["id"] for e in data["events"]] == ["ev-treaty", "ev-national", "ev-program"]
    assert data["events"][0]["sources"][0]["url"] == "https://example.org/t"
    code, short, _ = _main(capsys, events_db, "events", "list", "United States", "Japan",
                           "-f", "json")
    assert json.loads(short) == data
    code, out, _ = _main(capsys, events_db, "events", "USA", "JPN", "--joint-only",
                         "--kind", "agreement", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["date"], r["programs"]) for r in rows] == [
        ("ev-program", "1988-11", "fsx-development")]
    code, out, _ = _main(capsys, events_db, "events", "USA", "JPN", "--since", "1961")
    assert code == 0 and "Japan's own policy" in out and "A treaty of both" not in out
    code, out, _ = _main(capsys, events_db, "events", "show", "ev-program", "-f", "json")
    shown = json.loads(out)
    assert shown["event"]["programs"] == ["fsx-development"]
    assert shown["versions"][0]["changes"] == ["created"]
    code, out, _ = _main(capsys, events_db, "events", "export")
    assert code == 0 and out.startswith("# Reciprocity policy events") and "ev-third" in out


def test_bad_input_exit_2_nothing_written(capsys: pytest.CaptureFixture[str], events_db: Path,
                                          events_file: Callable[..., Path],
                                          events_yaml: str) -> None:
    bad = events_file(events_yaml.replace("kind: treaty", "kind: alliance"), "bad.yaml")
    code, _, err = _main(capsys, events_db, "events", "import", str(bad))
    assert code == 2
    assert "bad.yaml:6 events[0].kind" in err and "nothing was written" in err
    with Reciprocity(events_db, read_only=True) as r:
        assert r.timeline.current() == []
    code, _, err = _main(capsys, events_db, "events", "USA", "Atlantis")
    assert code == 2 and "Atlantis" in err
    code, _, err = _main(capsys, events_db, "events", "USA", "JPN", "--kind", "alliance")
    assert code == 2
    code, _, err = _main(capsys, events_db, "events", "show", "nope")
    assert code != 0 and "no event 'nope'" in err
