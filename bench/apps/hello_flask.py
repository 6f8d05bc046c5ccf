"""TechEmpower-style JSON endpoint in Flask: the articles' "hello" measurement, one route, no database."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}
