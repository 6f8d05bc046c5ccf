"""The items contract on FastAPI, Pydantic v2 and async SQLAlchemy 2.0; the app is ``items_fastapi.main:app``."""
