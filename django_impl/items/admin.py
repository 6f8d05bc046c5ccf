"""The admin at ``/admin/``: Django's own, for items and users.

Only staff accounts log in (``is_staff``, Django's rule: ``AdminSite.has_permission``); ``manage.py createsuperuser``
makes one, and ``POST /users`` never does. The forms run the model's validators and ``CHECK`` constraints
(``ModelForm._post_clean`` calls ``full_clean()``), so they refuse what the API refuses, the field at fault named.
Logging in here opens a session that the API never reads (bearer tokens only: settings.py).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models

from .models import Item


# region: admin
@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "price", "quantity", "owner_name", "created_at", "updated_at"]
    list_display_links = ["id", "title"]
    list_select_related = ["owner"]
    list_filter = [("owner", admin.RelatedOnlyFieldListFilter)]  # the users who own items, and "empty"
    search_fields = ["title"]
    fields = ["title", "description", "price", "quantity", "owner", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]  # set by Item.save(), as for the API
    # Django default: a form's CharField strips surrounding whitespace; contract: strings kept as sent (as the API).
    formfield_overrides = {models.CharField: {"strip": False}}
    # endregion
    # region: auth
    # The owner is picked by id (Django's default <select> would list every user); an item whose owner is empty
    # predates accounts, and the admin is where it is changed (the API answers 403 for it).
    raw_id_fields = ["owner"]
    # endregion
    # region: admin

    @admin.display(description="owner", ordering="owner__username")  # Django default: ordered by owner_id
    def owner_name(self, item: Item) -> str | None:
        return item.owner.username if item.owner else None  # None: the admin's "-"


# django.contrib.auth registers its UserAdmin; this one adds the API's username rule.
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "username":
            # Django default (User.username_validator): any Unicode letter; contract: POST /users' ASCII names, so a
            # user made here is one the API can describe.
            kwargs["validators"] = [ASCIIUsernameValidator()]
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# endregion
