"""``reciprocity serve``: the web app (pair explorer, partners, ledger, sources, JSON API)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from reciprocity.cli.render import console, err_console
from reciprocity.store.db import default_path


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(
            "--host", help="Address to listen on (loopback by default: only this machine).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
        db: Annotated[Path | None, typer.Option(
            "--db", help="Store file (default: the global --db, $RECIPROCITY_DB or "
            "./reciprocity.duckdb).")] = None,
        read_only: Annotated[bool, typer.Option(
            "--read-only", help="Open the store read-only (other processes may read it too; "
            "writes are refused).")] = False,
        cache_size: Annotated[int, typer.Option(
            "--cache-size", help="Answers kept in memory until the next write (0: none).")
        ] = 512,
        log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")
                             ] = "info",
    ) -> None:
        """Serve the web app and the JSON API (OpenAPI docs at /docs)."""
        import uvicorn

        from reciprocity.web.app import create_app

        path = db or (ctx.obj or {}).get("db") or default_path()
        web = create_app(path, read_only=read_only, cache_size=cache_size)
        if not _is_loopback(host):
            err_console.print(f"[yellow]Listening on {host}: anyone who can reach it can read "
                              "the store; writes still need an editor's sign-in.[/]")
        console.print(f"Serving {path} at http://{host}:{port}/ (API docs: /docs). "
                      "Ctrl+C stops.")
        uvicorn.run(web, host=host, port=port, log_level=log_level, proxy_headers=False)
