"""The application factory, flaskr-style, with the extensions bound in it (Flask-SQLAlchemy, Flask-Migrate).

Create or upgrade the tables with ``flask --app items_flask.app db upgrade`` (idempotent), then serve with
``gunicorn --bind 127.0.0.1:8000 'items_flask.app:create_app()'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flask

from . import config, docs, problems, schemas, views
from .db import db, migrate


# region: errors
class ItemsFlask(flask.Flask):
    """Flask, with the contract's answer to ``OPTIONS`` (Flask documents this method as the knob)."""

    def make_default_options_response(self) -> flask.Response:
        # Flask default: 200 with HEAD and OPTIONS in Allow; contract: 204, Allow names the spec's methods only.
        response = super().make_default_options_response()
        response.status_code = 204
        response.allow = problems.allowed_methods(response.allow)
        del response.headers["Content-Type"]  # werkzeug default: text/html even on an empty 204; contract: none
        return response


# endregion
# region: wiring
def create_app(test_config: Mapping[str, Any] | None = None) -> ItemsFlask:
    app = ItemsFlask(__name__)
    app.config.from_object(config)
    if test_config is not None:
        app.config.from_mapping(test_config)

    # werkzeug default: /items//1 redirects (308) to /items/1; contract: an unknown route is a 404.
    app.url_map.merge_slashes = False
    app.url_map.converters["item_id"] = views.ItemIdConverter

    db.init_app(app)
    # endregion
    # region: migrations
    migrate.init_app(app, db)
    # endregion
    # region: wiring
    docs.init_app(app)

    api = problems.Api(app)
    # endregion
    # region: docs
    api.register_converter(views.ItemIdConverter, views.item_id_schema)
    # apispec default: every Range bound documented as inclusive; price > 0 is an exclusiveMinimum.
    api.ma_plugin.converter.add_attribute_function(schemas.exclusive_range2properties)
    # endregion
    # region: wiring
    api.register_blueprint(views.blp)
    return app


# endregion
