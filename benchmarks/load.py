"""Benchmark: a bounded load test of the web API, and the unbounded-year request.

Builds a store from the May 2026 SIPRI register (or serves ``--db``), starts ``reciprocity
serve`` on 127.0.0.1 and runs ``--clients`` concurrent clients (default 20), each making
``--requests`` requests (default 60) in a fixed rotation: ``/api/health``, the cached
``/api/dyad?a=USA&b=JPN``, uncached dyads (a different ``since`` each time, within the years),
``/api/partners``, ``/api/sources`` and the hostile ``/api/dyad?…&since=-2147483649`` of
issue 15, which must answer 4xx at once. Reports p50/p95 per kind of request, status codes,
errors (5xx and transport errors) and the server's resident memory before and after. Bounded:
a fixed number of requests, 127.0.0.1 only, a timeout on every request.

Usage: python benchmarks/load.py [--clients 20] [--requests 60] [--db STORE] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import Server

REGISTER = Path(__file__).resolve().parents[2] / "shared/data/raw/sipri_trade_register/" \
    "trade-register.csv"
HOSTILE = "/api/dyad?a=USA&b=JPN&since=-2147483649"


def kinds(i: int) -> tuple[str, str]:
    """The ``i``-th request of a client: (kind, path)."""
    rotation = [
        ("health", "/api/health"),
        ("dyad cached", "/api/dyad?a=USA&b=JPN"),
        ("dyad uncached", f"/api/dyad?a=USA&b=JPN&since={1950 + (i * 7) % 70}"),
        ("partners", "/api/partners?a=JPN"),
        ("sources", "/api/sources"),
        ("hostile year", HOSTILE),
    ]
    return rotation[i % len(rotation)]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(base: str, clients: int, requests: int) -> dict[str, Any]:
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    statuses: dict[str, collections.Counter[int]] = collections.defaultdict(
        collections.Counter)
    errors: collections.Counter[str] = collections.Counter()

    async def client(n: int, http: httpx.AsyncClient) -> None:
        for i in range(requests):
            kind, path = kinds(n + i)
            t = time.perf_counter()
            try:
                resp = await http.get(path)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
                continue
            latencies[kind].append((time.perf_counter() - t) * 1000)
            statuses[kind][resp.status_code] += 1
            if resp.status_code >= 500:
                errors[f"HTTP {resp.status_code}"] += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(n, http) for n in range(clients)))
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "requests": sum(len(v) for v in latencies.values()) + sum(errors.values()),
        "errors": sum(errors.values()), "error_kinds": dict(errors),
        "by_kind": {k: {"n": len(v), "p50_ms": round(statistics.median(v), 1),
                        "p95_ms": round(statistics.quantiles(v, n=20)[18], 1)
                        if len(v) > 1 else round(v[0], 1),
                        "statuses": dict(statuses[k])}
                    for k, v in sorted(latencies.items())},
        "all": {"p50_ms": round(statistics.median([x for v in latencies.values() for x in v]),
                                1),
                "p95_ms": round(statistics.quantiles(
                    [x for v in latencies.values() for x in v], n=20)[18], 1)},
    }


def markdown(result: dict[str, Any]) -> str:
    rows = [f"| `{k}` | {v['n']} | {v['p50_ms']} ms | {v['p95_ms']} ms | "
            f"{', '.join(f'{s}: {c}' for s, c in sorted(v['statuses'].items()))} |"
            for k, v in result["by_kind"].items()]
    return "\n".join([
        "| request | n | p50 | p95 | statuses |", "| --- | ---: | ---: | ---: | --- |", *rows,
        f"| all | {result['requests']} | {result['all']['p50_ms']} ms | "
        f"{result['all']['p95_ms']} ms | errors: {result['errors']} |"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from reciprocity.sources import registry
            from reciprocity.store.db import Store

            db = Path(tmp) / "load.duckdb"
            with Store(db) as s:
                s.ingest(registry.get("sipri"), REGISTER)
        with Server(db, "--read-only") as server:
            load_before = os.getloadavg()[0]
            before = rss_mb(server.proc.pid)
            t = time.perf_counter()
            hostile = httpx.get(server.base + HOSTILE, timeout=10)
            hostile_ms = (time.perf_counter() - t) * 1000
            result = asyncio.run(run(server.base, args.clients, args.requests))
            after = rss_mb(server.proc.pid)
            load_after = os.getloadavg()[0]
    result.update({
        "benchmark": "load", "clients": args.clients, "requests_per_client": args.requests,
        "hostile": {"status": hostile.status_code, "ms": round(hostile_ms, 1)},
        "server_rss_mb": {"before": round(before, 1), "after": round(after, 1)},
        "load_average": [round(load_before, 1), round(load_after, 1)],
        "machine": f"{platform.system()} {platform.release()}; Python "
                   f"{platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    })
    print(json.dumps(result, indent=1))  # benchmarks/run.py reads it; the table to stderr
    print(markdown(result), file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
