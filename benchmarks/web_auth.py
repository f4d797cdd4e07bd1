"""Benchmark: does wrong-password traffic slow everyone else down?

Builds a small store with one editor, starts ``reciprocity serve`` on 127.0.0.1 and, for a
fixed ``--duration``, runs ``--attackers`` concurrent clients sending API writes with a wrong
HTTP Basic password (each costs the server one scrypt hash unless it is throttled) while one
client asks ``/api/health`` in a loop. Reports the health latency (p50/p95) and the status
codes the attackers received. Bounded: every loop stops at the deadline, on 127.0.0.1 only.

Runs twice: as ``reciprocity serve`` runs (sign-in throttling on: after 5 failures the
attackers get 429 without any hashing), and with throttling lifted (``--no-throttle`` only:
every wrong password is hashed, which shows what keeping scrypt off the event loop does).

Usage: python benchmarks/web_auth.py [--attackers 4] [--duration 10] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import Server, free_port

UNTHROTTLED = """
import sys, uvicorn
from reciprocity.web.app import create_app
from reciprocity.web.throttle import Rule, Throttle
app = create_app(sys.argv[1], throttle=Throttle((Rule("pair", 10**9, 1.0),)))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


class UnthrottledServer(Server):
    """The same app with a throttle that never refuses (for comparison only)."""

    def __init__(self, db: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-c", UNTHROTTLED, str(db),
                                      str(self.port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)

WRITE = "/api/ledger/transfers?reason=bench"


def build_store(folder: Path) -> Path:
    db = folder / "auth.duckdb"
    subprocess.run([sys.executable, "-c", "from reciprocity.cli.app import main; main()",
                    "--db", str(db), "users", "add", "ed", "--role", "editor",
                    "--password-stdin"], input="right-password-1\n", text=True, check=True,
                   capture_output=True)
    return db


async def run(base: str, attackers: int, duration: float) -> dict[str, Any]:
    deadline = time.monotonic() + duration
    statuses: collections.Counter[int] = collections.Counter()
    latencies: list[float] = []

    async def attack(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            resp = await client.post(WRITE, json={}, auth=("ed", "wrong-password"))
            statuses[resp.status_code] += 1

    async def probe(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            t = time.perf_counter()
            await client.get("/api/health")
            latencies.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(0.01)

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.get("/api/health")
        await asyncio.gather(probe(client), *(attack(client) for _ in range(attackers)))
    q = statistics.quantiles(latencies, n=20)
    return {"attackers": attackers, "duration_s": duration, "health_requests": len(latencies),
            "health_p50_ms": round(statistics.median(latencies), 2),
            "health_p95_ms": round(q[18], 2),
            "attacker_statuses": dict(sorted(statuses.items()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = build_store(Path(tmp))
        with Server(db) as server:
            idle = asyncio.run(run(server.base, 0, min(3.0, args.duration)))
            loaded = asyncio.run(run(server.base, args.attackers, args.duration))
        with UnthrottledServer(db) as server:
            unthrottled = asyncio.run(run(server.base, args.attackers, args.duration))
    result = {"idle": idle, "under_attack": loaded, "under_attack_unthrottled": unthrottled}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
