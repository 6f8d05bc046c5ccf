from django.contrib import admin

from .models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "price", "quantity", "owner", "updated_at"]
    list_display_links = ["id", "title"]
    list_select_related = ["owner"]
    search_fields = ["title", "description"]
    readonly_fields = ["created_at", "updated_at"]
    # region: auth
    # The owner is picked by id (Django's default <select> would list every user); an item whose owner is empty
    # predates accounts, and the admin is where it is changed (the API answers 403 for it).
    raw_id_fields = ["owner"]
    # endregion
