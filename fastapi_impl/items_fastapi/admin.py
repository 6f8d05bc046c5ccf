"""The admin at /admin/: SQLAdmin on the app's async engine, for administrators only (``User.is_admin``).

- Sessions: ``RequestSessions``, from the API's sessionmaker on the one engine main.py's lifespan opens.
- Login: SQLAdmin's ``AuthenticationBackend`` on Starlette's ``SessionMiddleware`` (a cookie signed with
  ``SECRET_KEY``, HttpOnly and SameSite=Lax, sent to /admin only), checked by the API's ``auth.authenticate``.
- CSRF (SQLAdmin has none): WTForms' ``SessionCSRF`` token, an HMAC of a secret in the admin session, on every form
  it posts (``AdminForm``, the login form): without it, or with another session's, a 403 and nothing stored. Its
  delete is a ``DELETE`` from its own page's script, which another site cannot send: a cross-origin ``DELETE``
  needs a CORS preflight this app never grants (and the SameSite=Lax cookie would not go with it).
- Validation: each field by the field of the same name of the Pydantic model the API uses (schemas.py).
- ``UserAdmin`` hashes a password with pwdlib, as ``POST /users`` does, and never shows the hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import Select, false
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from wtforms import Field, FloatField, Form, PasswordField, StringField, ValidationError
from wtforms.csrf.session import SessionCSRF
from wtforms.validators import StopValidation

from items_fastapi import auth
from items_fastapi.api.routing import IdConvertor
from items_fastapi.config import get_settings
from items_fastapi.models import Item, User, utc_now
from items_fastapi.schemas import ItemCreate, UserCreate

# region: admin
BASE_URL = "/admin"
ID = re.compile(IdConvertor.regex)  # a positive int64, as in the API's paths
#: The admin request being served: SQLAdmin builds its forms without it, and their CSRF token lives in its session.
admin_request: ContextVar[Request] = ContextVar("admin_request")


class CurrentRequest:
    """ASGI middleware of the admin: sets ``admin_request`` for as long as the admin serves the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = admin_request.set(Request(scope))  # its session is SessionMiddleware's, set on this scope
        try:
            await self.app(scope, receive, send)
        finally:
            admin_request.reset(token)


class RequestSessions(async_sessionmaker[AsyncSession]):
    """SQLAdmin's ``session_maker``: each session from the sessionmaker of the app serving the admin request (its
    lifespan state, db.open_database), so the admin and the API share one engine, made when the app starts."""

    def __call__(self, **local_kw: Any) -> AsyncSession:
        # SQLAdmin default: configure(autoflush=False) on the sessionmaker it is given (the API's); here its own only.
        return admin_request.get().state.sessionmaker(autoflush=self.kw["autoflush"], **local_kw)


class SessionBoundCSRF(SessionCSRF):
    """WTForms' ``SessionCSRF``, refusing a token sent to a session that holds no CSRF secret (WTForms: a KeyError)."""

    def validate_csrf_token(self, form: Form, field: Field) -> None:
        if "csrf" not in self.session:  # WTForms default: session["csrf"] read unchecked, a 500
            raise ValidationError(field.gettext("CSRF token missing."))
        super().validate_csrf_token(form, field)


def follows_schema(form: AdminForm, field: Field) -> None:
    """A WTForms validator: ``field.data`` as valid as the API finds it, by the field of the same name of
    ``form.schema`` (Pydantic's own check and message). Skipped where WTForms already refused (no number, empty)."""
    if field.errors or field.data is None:
        return
    blank = form.schema.model_construct()
    try:
        form.schema.__pydantic_validator__.validate_assignment(blank, field.name, field.data)
    except PydanticError as error:
        raise ValidationError("; ".join(detail["msg"] for detail in error.errors())) from None


class AdminForm(Form):
    """The base of every admin form: a CSRF token, and each field held to ``schema``'s field of the same name."""

    #: The Pydantic model the API validates these fields with (schemas.py); None: no field of it (the login form).
    schema: ClassVar[type[BaseModel] | None] = None

    class Meta:
        # WTForms default: csrf=False, and SQLAdmin has no CSRF protection of its own.
        csrf = True
        csrf_class = SessionBoundCSRF

        @property
        def csrf_secret(self) -> bytes:  # SECRET_KEY's, derived for this use alone (as Django's salted_hmac does)
            secret = get_settings().secret_key.get_secret_value().encode()
            return hmac.new(secret, b"items_fastapi.admin.csrf", hashlib.sha256).digest()

        @property
        def csrf_context(self) -> Any:
            return admin_request.get().session

    @property
    def data(self) -> dict[str, Any]:
        # WTForms default: the token among the data, which SQLAdmin would set on the model as if it were a column.
        return {name: value for name, value in super().data.items() if name != "csrf_token"}

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        """Whether every field is valid. Raises ``HTTPException`` 403 for a token missing, wrong or expired (WTForms'
        default lifetime, 30 minutes): nothing is stored (Django's answer; WTForms' is an error on a hidden field)."""
        fields = self.schema.model_fields if self.schema else {}
        # SQLAdmin default: the column's checks only (required, a String's length); here the API's schema's too.
        schema_checks = {name: [follows_schema] for name in self._fields if name in fields}
        valid = super().validate({**schema_checks, **(extra_validators or {})})
        if self.csrf_token.errors:  # WTForms default: an error on a hidden field, so the form again with no message
            raise HTTPException(403, f"{self.csrf_token.errors[0]} Reload the page, then send the form again.")
        return valid


class LoginForm(AdminForm):  # SQLAdmin's login page (templates/sqladmin/login.html), with its token
    username = StringField()
    password = PasswordField()


class AdminAuth(AuthenticationBackend):
    """SQLAdmin's login: an administrator's username and password; the user's id in the admin session."""

    async def login(self, request: Request) -> bool:
        """Whether the form names an administrator with this password (the same work for anyone else, see
        ``auth.authenticate``). Raises ``HTTPException`` 403 for a form without its CSRF token."""
        form = LoginForm(await request.form())
        form.validate()
        async with request.state.sessionmaker() as session:
            user = await auth.authenticate(session, form.username.data or "", form.password.data or "")
            await session.commit()  # a hash made again with pwdlib's current parameters
        if user is None or not user.is_admin:
            return False
        request.session.clear()  # a new session at login, and a new CSRF secret with it
        request.session["user_id"] = user.id
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        """Whether the session names a user who is an administrator now (demoted or deleted: logged out)."""
        user_id = request.session.get("user_id")
        if user_id is None:
            return False
        async with request.state.sessionmaker() as session:
            user = await session.get(User, user_id)
        return user is not None and user.is_admin


class AdminView(ModelView):
    """SQLAdmin's ``ModelView``, the id in its URLs held to the API's rule (``IdConvertor``): else a 404."""

    def details_query(self, request: Request) -> Select:
        known_id(request.path_params["pk"])
        return super().details_query(request)

    def form_edit_query(self, request: Request) -> Select:
        known_id(request.path_params["pk"])
        return super().form_edit_query(request)

    async def get_object_for_delete(self, value: Any) -> Any:
        known_id(value)
        return await super().get_object_for_delete(value)


def known_id(pk: str) -> None:
    """Raises ``HTTPException`` 404 for an id that is no positive int64."""
    if not ID.fullmatch(pk):  # SQLAdmin default: int(pk), a 500 for "abc" (ValueError) or 2^63 (OverflowError)
        raise HTTPException(404)


class ItemAdmin(AdminView, model=Item):
    form_base_class = type("ItemForm", (AdminForm,), {"schema": ItemCreate})
    column_list = [Item.id, Item.title, Item.price, Item.quantity, Item.owner, Item.created_at, Item.updated_at]
    column_searchable_list = [Item.title]
    column_sortable_list = [Item.id, Item.title, Item.price, Item.quantity, Item.created_at, Item.updated_at]
    # SQLAdmin default: every column a field, the timestamps typed in; here set as the API sets them.
    form_columns = [Item.title, Item.description, Item.price, Item.quantity, Item.owner]
    # SQLAdmin default: a Double column is a DecimalField (a Decimal), which the schema's strict float refuses.
    form_overrides = {"price": FloatField}
    # SQLAdmin default: a NOT NULL column without a default starts empty, and is required; here the API's default, 0.
    form_args = {"quantity": {"default": ItemCreate.model_fields["quantity"].default}}

    def search_query(self, stmt: Select, term: str) -> Select:
        """GET /items' ``q``: the term taken literally, A-Z matching a-z."""
        if "\x00" in term:
            return stmt.where(false())  # no title holds a NUL, and PostgreSQL's text cannot even be compared with one
        # SQLAdmin default: ILIKE '%term%', its % and _ wildcards, every letter folded on PostgreSQL.
        return stmt.where(Item.title_contains(term))

    async def on_model_change(self, data: dict[str, Any], model: Item, is_created: bool, request: Request) -> None:
        """Both timestamps for a new item, as ``Item.new``; an edit's flush moves ``updated_at`` (``stamp_change``)."""
        if is_created:
            model.created_at = model.updated_at = utc_now()


def new_password(form: Form, field: Field) -> None:
    """A WTForms validator: a new user needs a password; an existing one keeps theirs when it is left empty."""
    if not field.data:
        editing = "pk" in admin_request.get().path_params  # SQLAdmin's /{identity}/edit/{pk}
        raise StopValidation(None if editing else field.gettext("This field is required."))


class UserAdmin(AdminView, model=User):
    form_base_class = type("UserForm", (AdminForm,), {"schema": UserCreate})
    column_list = [User.id, User.username, User.is_admin]  # never hashed_password
    column_details_exclude_list = [User.hashed_password]
    column_searchable_list = [User.username]
    column_sortable_list = [User.id, User.username, User.is_admin]
    # SQLAdmin default: every column a field, hashed_password typed in as it is stored; here a password, hashed.
    form_columns = [User.username, User.is_admin]
    can_export = False  # SQLAdmin default: CSV and JSON exports

    async def scaffold_form(self, rules: list[str] | None = None) -> type[Form]:
        form = await super().scaffold_form(rules)
        form.password = PasswordField(
            validators=[new_password], description="8 to 128 characters. Left empty, an existing user keeps theirs."
        )
        return form

    async def on_model_change(self, data: dict[str, Any], model: User, is_created: bool, request: Request) -> None:
        """The password typed, as POST /users stores it: pwdlib's hash (none typed: the hash stays)."""
        password = data.pop("password")
        if password:
            data["hashed_password"] = await auth.hash_password(password)

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        return await unique_username(super().insert_model(request, data))

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        return await unique_username(super().update_model(request, pk, data))

    async def delete_model(self, request: Request, pk: Any) -> None:
        try:
            await super().delete_model(request, pk)
        except IntegrityError:  # SQLAdmin default: the database's message (fk_items_owner_id_users) above the list
            raise ValueError("This user owns items: delete them, or give them to another owner, first.") from None


async def unique_username(saving: Any) -> Any:
    """The user ``saving`` stores; raises ``ValueError`` (SQLAdmin shows it above the form) for a username taken."""
    try:
        return await saving
    except IntegrityError:  # SQLAdmin default: the database's message (uq_users_username) above the form
        raise ValueError("This username is taken.") from None


def mount(app: FastAPI) -> Admin:
    """The admin at ``BASE_URL`` on ``app``, and ``BASE_URL`` itself sent on to ``BASE_URL/``."""
    secret = get_settings().secret_key.get_secret_value()
    admin = Admin(
        app,
        # SQLAdmin default: Admin(app, engine), an engine at import; the app's is the lifespan's (db.open_database).
        session_maker=RequestSessions(),
        base_url=BASE_URL,
        title="Items admin",
        # SQLAdmin default: templates/ of the working directory; here the package's (sqladmin/login.html, with a token).
        templates_dir=str(Path(__file__).with_name("templates")),
        middlewares=[Middleware(CurrentRequest)],
        # Starlette default: the session cookie sent to every path, the API's too; here to the admin's only.
        authentication_backend=AdminAuth(secret_key=secret, path=BASE_URL),
    )
    admin.templates.env.globals["login_form"] = LoginForm
    admin.add_view(ItemAdmin)
    admin.add_view(UserAdmin)

    async def to_index(request: Request) -> RedirectResponse:
        return RedirectResponse(request.url_for("admin:index"))  # Starlette's 307, as its redirect_slashes sends

    # Starlette default: /admin redirected to /admin/ (redirect_slashes, off in main.py); here a route of its own.
    app.add_route(BASE_URL, to_index, methods=["GET", "HEAD"], include_in_schema=False)
    return admin


# endregion
