"""The application factory, flaskr-style, with the extensions bound in it (Flask-SQLAlchemy, Flask-Migrate,
Flask-Login, Flask-Admin), the API's blueprints, the browse page and the admin.

With ``SECRET_KEY`` set, create or upgrade the tables with ``flask --app items_flask.app db upgrade``
(idempotent), then serve with ``gunicorn --bind 127.0.0.1:8000 'items_flask.app:create_app()'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flask
from werkzeug.wsgi import host_is_trusted

from . import admin, auth, config, docs, pages, problems, schemas, views
from .db import db, engine_options, migrate


# region: settings
class ItemsRequest(flask.Request):
    """Flask's request, whose ``Host`` may also be one of the IPv6 literals in ``TRUSTED_HOSTS`` (``[::1]``).

    werkzeug 3.1 reads each trusted name up to its first ``:`` (to drop a port), so ``[::1]`` is read as
    ``[`` and never matches: werkzeug's main branch compares whole names (commit 9ffdc2d), unreleased.
    """

    _trusted_hosts: list[str] | None = None

    @property
    def trusted_hosts(self) -> list[str] | None:
        # werkzeug 3.1 default: no IPv6 literal is ever trusted; contract: [::1] is one of the default hosts.
        host = self.headers.get("Host", "")
        literal = host.partition("]")[0].lower() + "]"
        if self._trusted_hosts and host.startswith("[") and host_is_trusted(host) and literal in self._trusted_hosts:
            return None  # a trusted literal, any port: werkzeug checks its syntax only
        return self._trusted_hosts

    @trusted_hosts.setter
    def trusted_hosts(self, names: list[str] | None) -> None:
        self._trusted_hosts = names


class ItemsFlask(flask.Flask):
    """Flask, with ``ItemsRequest`` and the contract's answer to ``OPTIONS`` (Flask documents both knobs)."""

    request_class = ItemsRequest  # Flask default: flask.Request, whose Host check trusts no IPv6 literal

    # endregion
    # region: errors
    def make_default_options_response(self) -> flask.Response:
        # Flask default: 200 with OPTIONS in Allow; contract: 204, Allow names the spec's methods (and HEAD) only.
        response = super().make_default_options_response()
        response.status_code = 204
        response.allow = problems.allowed_methods(response.allow)
        del response.headers["Content-Type"]  # werkzeug default: text/html even on an empty 204; contract: none
        return response


# endregion
# region: wiring
def create_app(test_config: Mapping[str, Any] | None = None) -> ItemsFlask:
    """The application; ``test_config`` overrides config.py. Raises ``RuntimeError`` without a ``SECRET_KEY``."""
    app = ItemsFlask(__name__)
    app.config.from_object(config)
    if test_config is not None:
        app.config.from_mapping(test_config)
    # endregion
    # region: auth
    # Flask default: SECRET_KEY None, and signing fails at the first login; contract: a clear error at startup.
    if not app.config["SECRET_KEY"] and not app.testing:
        raise RuntimeError(
            "SECRET_KEY is not set: set it in the environment to a long random string (python -c 'import secrets;"
            " print(secrets.token_urlsafe(32))'), the same for every worker; it signs the bearer tokens."
        )
    if not isinstance(app.config["TOKEN_TTL_SECONDS"], int) or app.config["TOKEN_TTL_SECONDS"] < 1:
        raise RuntimeError(
            f"TOKEN_TTL_SECONDS must be a whole number of seconds, 1 or more: {app.config['TOKEN_TTL_SECONDS']!r}"
        )
    # endregion
    # region: wiring

    # werkzeug default: /items//1 redirects (308) to /items/1; contract: an unknown route is a 404.
    app.url_map.merge_slashes = False
    app.url_map.converters["id"] = views.IdConverter

    options = engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATABASE_CONNECT_TIMEOUT"])
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)  # Flask-SQLAlchemy default: none
    db.init_app(app)
    # endregion
    # region: migrations
    migrate.init_app(app, db)
    # endregion
    # region: wiring
    docs.init_app(app)

    api = problems.Api(app)
    # endregion
    # region: auth
    auth.init_app(app, api)
    # endregion
    # region: docs
    api.register_converter(views.IdConverter, views.id_schema)
    # apispec default: every Range bound documented as inclusive; price > 0 is an exclusiveMinimum.
    api.ma_plugin.converter.add_attribute_function(schemas.exclusive_range2properties)
    # endregion
    # region: wiring
    api.register_blueprint(views.blp)
    api.register_blueprint(auth.blp)
    # endregion
    # region: templates
    app.register_blueprint(pages.bp)  # Flask's own Blueprint: the page is not in the OpenAPI document
    # endregion
    # region: admin
    admin.init_app(app)
    # endregion
    # region: wiring
    return app


# endregion
