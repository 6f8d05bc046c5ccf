"""TechEmpower-style JSON endpoint in FastAPI: the articles' "hello" measurement, one route, no database."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}
