"""The command line, with Typer (FastAPI's sibling CLI library): ``python -m items_fastapi.cli create-admin NAME``.

``create-admin`` makes NAME an administrator, who may log into the admin (/admin/, admin.py): a new user, or an
existing one promoted, the password set either way. The password comes from ``ADMIN_PASSWORD``, else from a hidden
prompt typed twice; ``DATABASE_URL`` names the database, as for the app (no ``SECRET_KEY`` needed).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from items_fastapi import auth
from items_fastapi.config import DatabaseSettings
from items_fastapi.db import open_database
from items_fastapi.models import User
from items_fastapi.schemas import UserCreate

# region: admin
cli = typer.Typer(add_completion=False, no_args_is_help=True)
PARAMETERS = {"username": "NAME", "password": "'--password' / ADMIN_PASSWORD"}


# Typer default: an app of one command runs it without its name; a callback makes the name (create-admin) needed.
@cli.callback()
def main() -> None:
    """The items API's commands."""


@cli.command("create-admin")
def create_admin(
    name: Annotated[str, typer.Argument(help="The administrator's username.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="ADMIN_PASSWORD",
            help="8 to 128 characters; prompted for when ADMIN_PASSWORD is not set.",
        ),
    ],
) -> None:
    """Make NAME an administrator: a new user, or an existing one promoted; the password set either way."""
    try:
        UserCreate(username=name, password=password)  # the API's rules for a sign-up
    except ValidationError as error:
        first = error.errors()[0]
        raise typer.BadParameter(first["msg"], param_hint=PARAMETERS[first["loc"][0]]) from None
    try:
        created = asyncio.run(make_admin(name, password))
    except (DBAPIError, OSError) as error:
        reason = getattr(error, "orig", error)  # the driver's words, without SQLAlchemy's statement
        typer.echo(f"The database cannot be used (has `alembic upgrade head` run?): {reason}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{name} is {'a new' if created else 'now an'} administrator.")


async def make_admin(username: str, password: str) -> bool:
    """Whether ``username`` was created (else promoted), with ``password`` hashed as ``POST /users`` hashes it."""
    async with open_database(DatabaseSettings().sqlalchemy_url) as sessionmaker, sessionmaker() as session:
        user = await session.scalar(select(User).where(User.username == username))
        if created := user is None:
            user = User(username=username)
            session.add(user)
        user.hashed_password = await auth.hash_password(password)
        user.is_admin = True
        await session.commit()
    return created


if __name__ == "__main__":
    cli(prog_name="python -m items_fastapi.cli")
# endregion
