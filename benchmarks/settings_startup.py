"""Benchmark: what reading the settings (pydantic-settings) adds to a command's start.

Two whole processes, run ``--repeat`` times in alternation (the order swaps every round):

- baseline: ``import reciprocity.cli.common`` (what every store command imports anyway);
- settings: the same, then ``lock_wait()`` (what a command pays only when the store is busy:
  ``cli.common.session`` opens a free store without it), which reads the variable through
  :func:`reciprocity.settings.current` (importing pydantic and pydantic-settings).

Prints the best and the median paired ratio settings ÷ baseline.

Usage: python benchmarks/settings_startup.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = "import reciprocity.cli.common"
SETTINGS = "from reciprocity.cli.common import lock_wait; lock_wait()"


def _run(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    _run(SETTINGS)  # warm the file cache
    base, with_settings = [], []
    for i in range(args.repeat):
        pair = [(BASELINE, base), (SETTINGS, with_settings)]
        for code, out in (pair if i % 2 == 0 else pair[::-1]):
            out.append(_run(code))
    paired = [s / b for s, b in zip(with_settings, base, strict=True)]
    print(f"baseline best {min(base):.3f} s, settings best {min(with_settings):.3f} s; "
          f"ratio best {min(with_settings) / min(base):.2f}, "
          f"paired median {statistics.median(paired):.2f}")


if __name__ == "__main__":
    main()
