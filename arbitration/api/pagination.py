"""Cursor pagination: stable pages while new disputes arrive, no page counting."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = "-pk"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
