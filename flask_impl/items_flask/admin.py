"""The admin at /admin/: Flask-Admin's ``ModelView`` for items and users, behind Flask-Login's session login.

Flask-Admin's auth example, as its docs give it: an ``AdminIndexView`` with ``login_view`` and
``logout_view``, and views whose ``is_accessible`` asks for ``current_user.is_admin`` (``inaccessible_callback``:
the login page). Every form is a ``SecureForm`` (WTForms' session CSRF token). The forms refuse what the API
refuses by running the API's own marshmallow fields (``SameAsApi``); the CHECK constraints stay the last line.
``flask --app items_flask.app create-admin NAME`` makes an administrator (or promotes NAME).
"""

from __future__ import annotations

import re
from typing import Any

import click
from flask import Flask, redirect, url_for
from flask.cli import with_appcontext
from flask_admin import Admin, AdminIndexView, expose, helpers
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import SecureForm
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user, login_user, logout_user
from marshmallow import Schema, ValidationError
from sqlalchemy import select
from werkzeug import Response
from wtforms import FloatField, PasswordField, StringField, validators
from wtforms.widgets import TextArea

from .auth import check_credentials
from .db import db
from .models import Item, User, utcnow
from .schemas import ItemCreate, UserCreate


# region: admin
class SameAsApi:
    """WTForms validator: the value passes the API's own marshmallow field ``name`` of ``schema`` (schemas.py).

    So the admin refuses what the API refuses (bounds, NUL, the username's characters), in the API's words and
    with no second copy of a rule. An empty value is left to the ``InputRequired`` or ``Optional`` that
    Flask-Admin derives from the column's nullability.
    """

    def __init__(self, schema: type[Schema], name: str) -> None:
        self.field = schema().fields[name]

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None or field.data == "":
            return
        try:
            self.field.deserialize(field.data)
        except ValidationError as error:
            # WTForms default: the chain goes on (Flask-Admin's own Length would repeat the message); here: stop.
            raise validators.StopValidation(error.messages[0]) from None


class NewPasswordField(PasswordField):
    """A password typed in, stored only as ``User.set_password`` hashes it (the API's sign-up does the same).

    Left empty on an edit, the password stays; the hash is never shown.
    """

    def populate_obj(self, obj: User, name: str) -> None:
        # WTForms default: setattr(user, "password", the plain text); here: hashed into password_hash, or nothing.
        if self.data:
            obj.set_password(self.data)


class LoginForm(SecureForm):
    username = StringField("Username", [validators.InputRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", [validators.InputRequired()], render_kw={"autocomplete": "current-password"})


def row_id(text: str) -> int | None:
    """``text`` as a row's id: ASCII digits naming a positive int64, as ``<id:...>`` reads one (views.IdConverter)."""
    return int(text) if re.fullmatch("[0-9]{1,19}", text) and 0 < int(text) < 2**63 else None


def is_administrator() -> bool:
    return current_user.is_authenticated and current_user.is_admin


class AdminOnly:
    """Flask-Admin's access hooks: only an administrator's session sees the view; anyone else gets the login page."""

    def is_accessible(self) -> bool:
        return is_administrator()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        return redirect(url_for("admin.login_view"))

    def render(self, template: str, **kwargs: Any) -> str:
        # The navigation bar's "Log out" is a form too, with its own CSRF token (templates/admin/master.html).
        return super().render(template, logout_form=SecureForm(), **kwargs)  # type: ignore[misc]


class IndexView(AdminOnly, AdminIndexView):
    """/admin/: the index for an administrator, and the login and logout that get one there."""

    def is_accessible(self) -> bool:
        return True  # the login page must be reachable; index() sends anyone else there

    @expose("/")
    def index(self) -> str | Response:
        if not is_administrator():
            return redirect(url_for(".login_view"))
        return super().index()

    @expose("/login/", methods=("GET", "POST"))
    def login_view(self) -> str | Response:
        form = LoginForm(helpers.get_form_data())
        if helpers.validate_form_on_submit(form):
            user = check_credentials(form.username.data, form.password.data)
            if user is not None and user.is_admin:
                login_user(user)  # Flask-Login's session; no remember-me cookie
                return redirect(url_for(".index"))
            # The same words for an unknown name, a wrong password and an ordinary account: none is told apart.
            form.form_errors.append("Wrong username or password, or not an administrator's account.")
        return self.render("admin/login.html", form=form)

    @expose("/logout/", methods=("POST",))
    def logout_view(self) -> Response:
        if helpers.validate_form_on_submit(SecureForm(helpers.get_form_data())):
            logout_user()
        return redirect(url_for(".login_view"))


class AdminModelView(AdminOnly, ModelView):
    form_base_class = SecureForm  # Flask-Admin default: wtforms' Form, no CSRF token
    column_display_pk = True
    column_default_sort = "id"

    def get_one(self, id: str) -> Any:
        # Flask-Admin default: ?id= goes to the database as typed, and PostgreSQL refuses "abc" or 2**64 for a bigint
        # (a 500); here: anything but a row id names no row ("Record does not exist").
        return None if row_id(id) is None else super().get_one(id)

    @action("delete", "Delete", "Are you sure you want to delete selected records?")
    def action_delete(self, ids: Any) -> None:
        # Flask-Admin default: the posted ids as strings, which SQLAlchemy 2.1 binds as VARCHAR, and PostgreSQL has no
        # bigint = varchar (a 500, for every bulk delete); here: integers, and what is no row id is left out.
        super().action_delete(tuple(ident for ident in map(row_id, ids) if ident is not None))

    def get_list(self, page: int | None, sort_column: Any, sort_desc: bool, search: str | None, *args: Any, **kw: Any):
        # Flask-Admin default: ?page=-1 is a negative OFFSET and a NUL in ?search= goes to the database (PostgreSQL
        # refuses both: a 500); here: the first page, and nothing found (no title or username holds a NUL).
        if search and "\x00" in search:
            return 0, []
        return super().get_list(max(page or 0, 0), sort_column, sort_desc, search, *args, **kw)


class ItemView(AdminModelView):
    column_list = ("id", "title", "price", "quantity", "owner", "created_at", "updated_at")
    column_searchable_list = ("title",)
    column_sortable_list = ("id", "title", "price", "quantity", ("owner", "owner.username"), "created_at", "updated_at")
    column_formatters = {"owner": lambda view, context, item, name: item.owner_username}
    form_columns = ("title", "description", "price", "quantity", "owner")
    # Flask-Admin default: a DecimalField for a Double column (Decimal values); here: a float, as the API stores it.
    form_overrides = {"price": FloatField}
    form_widget_args = {"description": {"rows": 4}}
    form_args = {
        **{name: {"validators": [SameAsApi(ItemCreate, name)]} for name in ("title", "price")},
        "description": {"validators": [SameAsApi(ItemCreate, "description")], "widget": TextArea()},
        "quantity": {"validators": [SameAsApi(ItemCreate, "quantity")], "default": 0},
        "owner": {"get_label": "username"},
    }

    def on_model_change(self, form: Any, item: Item, is_created: bool) -> None:
        # As the API stamps an item (models.Item.create/apply): both at creation; any change moves updated_at.
        if is_created:
            item.created_at = item.updated_at = utcnow()
        else:
            item.stamp_change()


class UserView(AdminModelView):
    column_list = ("id", "username", "is_admin")
    column_searchable_list = ("username",)
    form_columns = ("username", "is_admin", "password")  # the create form adds its password last
    form_args = {"username": {"validators": [SameAsApi(UserCreate, "username")]}}
    form_extra_fields = {
        "password": NewPasswordField(
            "Password",
            validators=[validators.Optional(), SameAsApi(UserCreate, "password")],
            description="Left empty, the password stays.",
        )
    }

    def get_create_form(self) -> Any:
        form = super().get_create_form()  # a class of its own (Flask-Admin scaffolds one per call)
        form.password = NewPasswordField(
            "Password", validators=[validators.InputRequired(), SameAsApi(UserCreate, "password")]
        )
        return form


@click.command("create-admin")
@click.argument("username")
@click.password_option(envvar="ADMIN_PASSWORD", help="Asked for (twice, hidden) unless ADMIN_PASSWORD is set.")
@with_appcontext
def create_admin(username: str, password: str) -> None:
    """Make USERNAME an administrator who can log into /admin/: a new account, or an existing one promoted
    (its password replaced). USERNAME and the password follow the API's rules (POST /users)."""
    try:
        UserCreate().load({"username": username, "password": password})
    except ValidationError as error:
        problems = " ".join(f"{field}: {messages[0]}" for field, messages in error.messages.items())
        raise click.UsageError(problems) from None
    user = db.session.scalar(select(User).where(User.username == username)) or User(username=username)
    user.set_password(password)
    user.is_admin = True
    db.session.add(user)
    db.session.commit()
    click.echo(f"{username} is an administrator: log in at /admin/.")


def init_app(app: Flask) -> None:
    """The admin at /admin/ on ``app`` (one ``Admin`` per app: Flask-Admin's views keep their app), and the command."""
    # Flask-Admin 2's Bootstrap 4 theme; its CSS and JavaScript are the package's own static files (no CDN).
    admin = Admin(app, name="Items admin", index_view=IndexView(), theme=Bootstrap4Theme())
    admin.add_view(ItemView(Item, db, name="Items"))
    admin.add_view(UserView(User, db, name="Users"))
    app.cli.add_command(create_admin)


# endregion
