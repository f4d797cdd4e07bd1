"""Signing in and out (session cookie kept on the server; CSRF-protected forms; throttled)."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity import accounts
from reciprocity.web import auth, deps
from reciprocity.web.pages.common import render
from reciprocity.web.throttle import TooManyAttemptsError

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only local paths (no ``//host`` or scheme) are followed after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/ledger"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html.j2", {"next": _safe_next(next), "errors": {},
                                             "name": ""})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the name and password; on success start a fresh session (new id, new token)."""
    form = await request.form()
    name = str(form.get("name") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or ""))
    try:
        auth.check_csrf(request.app.state.secret, request.session.get("sid"),
                        str(form.get("csrf_token") or ""))
    except auth.CSRFError as exc:
        return render(request, "login.html.j2", {"next": target, "name": name,
                                                 "errors": {"form": str(exc)}},
                      status_code=403)
    errors = {}
    if not name:
        errors["name"] = "enter your user name"
    if not password:
        errors["password"] = "enter your password"
    user = None
    if not errors:
        def check() -> accounts.User | None:
            return deps.check_password(request, name, password)
        try:
            request.app.state.throttle.check(deps.client_address(request), name)
            user = await anyio.to_thread.run_sync(check, limiter=deps.hash_limiter(request))
        except TooManyAttemptsError as exc:
            await deps.load_user(request)  # the page's header (no Basic: a store read)
            return render(request, "login.html.j2", {"next": target, "name": name,
                                                     "errors": {"form": str(exc)}},
                          status_code=429, headers={"Retry-After": str(exc.retry_after)})
        if user is None:
            errors["form"] = "wrong user name or password"
    if errors:
        await deps.load_user(request)
        return render(request, "login.html.j2", {"next": target, "name": name,
                                                 "errors": errors}, status_code=401)
    sessions = request.app.state.sessions
    old_sid = request.session.get("sid") if request.session.get("user") else None
    session_id = await run_in_threadpool(sessions.start, user.name)  # type: ignore[union-attr]
    if old_sid:  # signing in again ends the session this browser had
        await run_in_threadpool(sessions.end, old_sid)
    request.session.clear()
    request.session["sid"] = session_id
    request.session["user"] = user.name  # type: ignore[union-attr]
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    auth.check_csrf(request.app.state.secret, request.session.get("sid"),
                    str(form.get("csrf_token") or ""))
    # the server forgets the session: a copy of the cookie no longer signs anyone in
    await run_in_threadpool(request.app.state.sessions.end, request.session.get("sid"))
    request.session.clear()
    return RedirectResponse("/pair", status_code=303)


def _account_page(request: Request, user: accounts.User, errors: dict[str, str], *,
                  changed: bool = False, status_code: int = 200,
                  headers: dict[str, str] | None = None) -> HTMLResponse:
    return render(request, "account.html.j2", {"user": user, "errors": errors,
                                               "changed": changed,
                                               "min_length": accounts.MIN_PASSWORD},
                  status_code=status_code, headers=headers)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, changed: int = 0) -> Response:
    """The signed-in user's page: change the password."""
    user = deps.current_user(request)
    if user is None or deps.request_via_basic(request):
        return RedirectResponse("/login?next=/account", status_code=303)
    return _account_page(request, user, {}, changed=bool(changed))


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request) -> Response:
    """Check the current password (throttled like signing in), store the new one, end every
    other session of the user and give this browser a fresh session id."""
    form = await request.form()
    user = await deps.load_user(request)
    if user is None or deps.request_via_basic(request):
        return RedirectResponse("/login?next=/account", status_code=303)
    auth.check_csrf(request.app.state.secret, request.session.get("sid"),
                    str(form.get("csrf_token") or ""))
    current = str(form.get("current") or "")
    new = str(form.get("new") or "")
    errors: dict[str, str] = {}
    if not current:
        errors["current"] = "enter your current password"
    if len(new) < accounts.MIN_PASSWORD:
        errors["new"] = f"at least {accounts.MIN_PASSWORD} characters"
    elif new != str(form.get("repeat") or ""):
        errors["repeat"] = "the two new passwords differ"
    elif new == current:
        errors["new"] = "a password other than the current one"
    if errors:
        return await run_in_threadpool(_account_page, request, user, errors, status_code=422)

    def check() -> accounts.User | None:
        return deps.check_password(request, user.name, current)
    try:
        request.app.state.throttle.check(deps.client_address(request), user.name)
        ok = await anyio.to_thread.run_sync(check, limiter=deps.hash_limiter(request))
    except TooManyAttemptsError as exc:
        return await run_in_threadpool(_account_page, request, user, {"form": str(exc)},
                                       status_code=429,
                                       headers={"Retry-After": str(exc.retry_after)})
    if ok is None:
        return await run_in_threadpool(
            _account_page, request, user, {"current": "not your current password"},
            status_code=401)

    def store_new() -> None:
        new_hash = accounts.hash_password(new)  # before taking the writer: ~1 s of CPU
        with deps.backend(request).write(clear_cache=False) as w:
            # ends every session of the user (this browser gets a new one below)
            accounts.set_password(w.store, user.name, new, password_hash=new_hash)
    await anyio.to_thread.run_sync(store_new, limiter=deps.hash_limiter(request))
    session_id = await run_in_threadpool(request.app.state.sessions.start, user.name)
    request.session.clear()
    request.session["sid"] = session_id
    request.session["user"] = user.name
    return RedirectResponse("/account?changed=1", status_code=303)
