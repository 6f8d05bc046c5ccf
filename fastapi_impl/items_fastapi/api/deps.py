"""Dependencies and lookups shared by the path operations."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from sqlalchemy.ext.asyncio import AsyncSession

from items_fastapi.db import get_session
from items_fastapi.models import Item

# region: wiring
SessionDep = Annotated[AsyncSession, Depends(get_session)]


# endregion
# region: retrieve
async def get_item_or_404(session: AsyncSession, item_id: int) -> Item:
    """The item ``item_id``, or a 404.

    Called from the path operations, not declared as a dependency: FastAPI solves dependencies before it
    validates the body, so a ``Depends`` lookup would answer ``PUT /items/999`` with an invalid body 404,
    where the contract wants its 422 first.
    """
    item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(404, f"There is no item {item_id}.")
    return item


# endregion
