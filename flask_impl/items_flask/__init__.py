"""The items contract on Flask, flask-smorest and marshmallow; ``create_app`` in ``items_flask.app``."""
