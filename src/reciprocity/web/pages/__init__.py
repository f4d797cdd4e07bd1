"""Server-rendered pages (Jinja2; small scripts update parts of a page in place)."""

from __future__ import annotations

from fastapi import APIRouter

from reciprocity.web.pages import account, assess, events, explore, ledger, partners, sources

router = APIRouter(include_in_schema=False)
for module in (explore, partners, assess, sources, ledger, events, account):
    router.include_router(module.router)
