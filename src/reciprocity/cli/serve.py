"""``reciprocity serve``: the web app (pair explorer, partners, ledger, sources, JSON API)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from reciprocity.cli.common import store_path
from reciprocity.cli.render import console, err_console


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
        https: Annotated[bool, typer.Option(
            "--https", help="The app is reached over HTTPS (a proxy in front terminates TLS): "
            "session cookies are marked Secure and responses send Strict-Transport-Security.")
        ] = False,
        forwarded_allow_ips: Annotated[str | None, typer.Option(
            "--forwarded-allow-ips", help="Addresses of proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto are trusted (e.g. 127.0.0.1); sign-in throttling then counts "
            "the client's address, not the proxy's.")] = None,
        max_body: Annotated[int | None, typer.Option(
            "--max-body", min=0, help="Largest request body in bytes (JSON or form); a larger "
            "one is refused with 413 (default: 8 MiB).")] = None,
    ) -> None:
        """Serve the web app and the JSON API (OpenAPI docs at /docs)."""
        import uvicorn

        from reciprocity.web.app import create_app

        path = db or store_path(ctx)
        limit = {} if max_body is None else {"max_body_bytes": max_body}
        web = create_app(path, read_only=read_only, cache_size=cache_size, https=https,
                         **limit)
        if not _is_loopback(host):
            err_console.print(f"[yellow]Listening on {host}: anyone who can reach it can read "
                              "the store; writes still need an editor's sign-in.[/]")
            if not https:
                err_console.print("[yellow]Without --https, passwords and session cookies "
                                  "cross the network in clear: put a TLS proxy in front and "
                                  "pass --https.[/]")
        scheme = "https" if https else "http"
        console.print(f"Serving {path} at {scheme}://{host}:{port}/ (API docs: /docs). "
                      "Ctrl+C stops.")
        proxy = {"proxy_headers": True, "forwarded_allow_ips": forwarded_allow_ips} \
            if forwarded_allow_ips else {"proxy_headers": False}
        uvicorn.run(web, host=host, port=port, log_level=log_level, **proxy)
