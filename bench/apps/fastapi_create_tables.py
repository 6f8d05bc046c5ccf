"""Create FastAPI's tables before a start with several workers: ``python fastapi_create_tables.py``.

The app creates its tables in its lifespan (items_fastapi/db.py), which is safe with the one worker of its
impl.toml; two workers starting on a new database would race the same ``CREATE TABLE``. Running the lifespan
once first leaves each worker nothing to create.
"""

import asyncio

from items_fastapi.main import app, lifespan


async def main() -> None:
    async with lifespan(app):
        pass


asyncio.run(main())
