"""What a user may do: DRF tutorial part 4's ``IsOwnerOrReadOnly``, as the tutorial writes it."""

from __future__ import annotations

from rest_framework import permissions


# region: auth
class IsOwnerOrReadOnly(permissions.BasePermission):
    """Anyone may read an item; only its owner may replace, change or delete it (403 for anyone else).

    An object permission: DRF checks it in ``get_object()`` only, so after the body is validated (422) and the
    item looked up (404), the contract's order (views.py). An item whose owner is NULL (it predates accounts)
    is nobody's: 403 for everyone through the API, and changed through the admin only.
    """

    message = "Only the item's owner may change or delete it."  # DRF default: "You do not have permission ..."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.owner_id is not None and obj.owner_id == request.user.pk


# endregion
