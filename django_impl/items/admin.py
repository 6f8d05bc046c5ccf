from django.contrib import admin

from .models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "price", "quantity", "updated_at"]
    list_display_links = ["id", "title"]
    search_fields = ["title", "description"]
    readonly_fields = ["created_at", "updated_at"]
