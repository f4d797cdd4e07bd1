"""``reciprocity users``: who may sign in to the web app, and with which role."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from reciprocity.cli.common import FormatOpt, session
from reciprocity.cli.render import Format, console, emit
from reciprocity.errors import InputError

if TYPE_CHECKING:
    from reciprocity import accounts
else:  # imported when a command runs (reciprocity.cli.lazy)
    from reciprocity.cli.lazy import LazyModule

    accounts = LazyModule("reciprocity.accounts")

users_app = typer.Typer(help="Web app users: add, list, change role or password, remove.",
                        no_args_is_help=True)

RoleOpt = Annotated[str, typer.Option(
    "--role", "-r", help="viewer (reads), editor or admin (also write).")]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from the first line of standard input "
    "instead of asking.")]


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("no terminal to ask for a password; pass --password-stdin and pipe "
                         "it in")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def add(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Sign-in name.")],
        role: RoleOpt = "editor", password_stdin: PasswordStdin = False) -> None:
    """Add a user (the password is asked for, or read with --password-stdin)."""
    problems = accounts.validate_user(name, role, None)
    if problems:
        raise InputError(f"cannot add user {name!r}", problems)
    password = _password(password_stdin)
    with session(ctx) as r:
        accounts.add_user(r.store, name, role, password)
    console.print(f"Added {name} ({role}).")


@users_app.command("list")
def list_(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Users and their roles (never their passwords)."""
    with session(ctx, read_only=True) as r:
        frame = accounts.list_users(r.store)
    emit(frame, fmt, title="Web app users",
         empty="No web app users yet: add one with reciprocity users add NAME.")


@users_app.command("set-role")
def set_role(ctx: typer.Context, name: Annotated[str, typer.Argument(help="User.")],
             role: RoleOpt) -> None:
    """Change a user's role."""
    with session(ctx) as r:
        accounts.set_role(r.store, name, role)
    console.print(f"{name} is now {role}.")


@users_app.command("set-password")
def set_password(ctx: typer.Context, name: Annotated[str, typer.Argument(help="User.")],
                 password_stdin: PasswordStdin = False) -> None:
    """Replace a user's password."""
    password = _password(password_stdin)
    with session(ctx) as r:
        accounts.set_password(r.store, name, password)
    console.print(f"Password of {name} changed.")


@users_app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="User.")]) -> None:
    """Remove a user (their sessions end at their next request)."""
    with session(ctx) as r:
        accounts.remove_user(r.store, name)
    console.print(f"Removed {name}.")
