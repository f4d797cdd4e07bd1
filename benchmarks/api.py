"""Benchmark: the web API under concurrent clients, and how long a briefing takes to render.

Starts ``reciprocity serve`` in a subprocess on 127.0.0.1 (a store built by the demo job from
the data folder: the full SIPRI register and the other channels, unless ``--db`` names one),
then runs ``--clients`` concurrent keep-alive clients against each endpoint for a fixed
``--duration`` and reports requests per second and p50/p95/p99 latency. The clients are
``wrk`` (Debian package ``wrk``) when installed, else bounded loops of httpx's AsyncClient
(``--client`` chooses); on a small machine the Python client spends as much CPU as the server,
which the health figures (the floor) show. Clients ask for gzip, as browsers do.

- ``/api/health``: the server's floor (no store access);
- ``/api/dyad?a=USA&b=JPN``: the pair's full answer, as served (computed once, then from the
  server's cache, which lives until the next write);
- the same with the cache off (``serve --cache-size 0``): every request recomputes the dyad.

Targets: p95 under 50 ms for ``/api/dyad`` at 20 clients; a briefing renders to HTML in under
5 s (``render_s``, best of ``--repeat``, in-process on the same store).

Usage: python benchmarks/api.py [--db STORE] [--clients 20] [--duration 10]
                                [--client auto|wrk|httpx] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PAIR = "/api/dyad?a=USA&b=JPN"
TARGET_P95_MS = 50.0
TARGET_BRIEFING_S = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``reciprocity serve`` in a subprocess, stopped on exit."""

    def __init__(self, db: Path, *extra: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from reciprocity.cli.app import main; main()",
             "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.proc.stderr.read().decode()[-2000:])
            try:
                if httpx.get(self.base + "/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start within 60 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


WRK_SCRIPT = """
wrk.headers["Accept-Encoding"] = "gzip"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "errors": %d, "seconds": %.3f, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def load_wrk(url: str, clients: int, duration: float) -> dict[str, Any]:
    """``wrk`` with ``clients`` connections on two threads for ``duration`` seconds."""
    httpx.get(url, timeout=60)  # warm-up (fills the cache where there is one)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT)
    out = subprocess.run(["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d",
                          f"{duration:g}s", "--timeout", "60s", "-s", fh.name, url],
                         capture_output=True, text=True, check=True)
    os.unlink(fh.name)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return {"requests": r["requests"], "errors": r["errors"], "seconds": round(r["seconds"], 2),
            "rps": round(r["requests"] / r["seconds"], 1),
            **{f"p{q}_ms": round(r[f"p{q}_us"] / 1000, 2) for q in (50, 95, 99)}}


async def load(url: str, clients: int, duration: float) -> dict[str, Any]:
    """``clients`` concurrent loops of GET ``url`` (httpx) for ``duration`` seconds."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(limits=limits, timeout=60,
                                 headers={"Accept-Encoding": "gzip"}) as client:
        await asyncio.gather(*(client.get(url) for _ in range(clients)))  # warm-up
        stop = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                resp = await client.get(url)
                latencies.append(time.perf_counter() - t0)
                if resp.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"requests": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(q[49] * 1000, 2), "p95_ms": round(q[94] * 1000, 2),
            "p99_ms": round(q[98] * 1000, 2)}


def build_store(tmp: Path) -> Path:
    """A fresh store from the data folder, as ``reciprocity demo`` builds it."""
    from reciprocity import demo

    db = tmp / "bench.duckdb"
    demo.run(db, None, log=lambda m: print(m, file=sys.stderr))
    return db


def briefing_times(db: Path, repeat: int, pdf: bool) -> dict[str, Any]:
    """Best-of-``repeat`` HTML render of the USA–JPN briefing; one PDF print if asked."""
    from reciprocity.api import Reciprocity
    from reciprocity.report.builder import render_html, write_briefing

    out: dict[str, Any] = {}
    with Reciprocity(db, read_only=True) as r:
        times, size = [], 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            size = len(render_html(r, "USA", "JPN"))
            times.append(time.perf_counter() - t0)
        out.update(render_s=round(min(times), 3), render_median_s=round(
            statistics.median(times), 3), html_bytes=size)
        if pdf:
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                try:
                    write_briefing(r, "USA", "JPN", Path(tmp) / "b.pdf")
                    out["pdf_s"] = round(time.perf_counter() - t0, 2)
                except Exception as exc:  # no Chromium: report, don't fail the benchmark
                    out["pdf_error"] = str(exc)[:200]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="store to serve (default: build one like the demo)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    ap.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto",
                    help="load generator (auto: wrk when installed)")
    ap.add_argument("--repeat", type=int, default=3, help="briefing renders (best of)")
    ap.add_argument("--no-pdf", action="store_true", help="skip timing the PDF print")
    ap.add_argument("--json", type=Path, help="also write the result here")
    args = ap.parse_args()
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "httpx"

    def run(url: str) -> dict[str, Any]:
        if client == "wrk":
            return load_wrk(url, args.clients, args.duration)
        return asyncio.run(load(url, args.clients, args.duration))

    tmp = Path(tempfile.mkdtemp(prefix="reciprocity-bench-"))
    db = args.db or build_store(tmp)
    with Server(db) as server:
        sources = httpx.get(server.base + "/api/sources", timeout=60).json()
        endpoints = {"health": run(server.base + "/api/health"),
                     "dyad": run(server.base + PAIR)}
    with Server(db, "--cache-size", "0") as server:
        endpoints["dyad_uncached"] = run(server.base + PAIR)
    result = {
        "benchmark": "api", "pair": PAIR, "clients": args.clients, "client": client,
        "duration_s": args.duration, "endpoints": endpoints,
        "briefing": briefing_times(db, args.repeat, not args.no_pdf),
        "target_p95_ms": TARGET_P95_MS, "target_briefing_s": TARGET_BRIEFING_S,
        "store": {"bytes": db.stat().st_size,
                  "vintages": sorted({s["vintage_id"] for s in sources}),
                  "datasets": sorted({s["dataset"].split(":")[0] for s in sources}),
                  "flows": sum(int(s["flows_loaded"]) for s in sources)},
        "machine": f"{os.cpu_count()} cores; {platform.system()} {platform.release()}; "
                   f"Python {platform.python_version()}",
        "measured": time.strftime("%Y-%m-%d"),
    }
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
