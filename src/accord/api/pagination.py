"""Limit/offset pagination with the total count, shared by every list endpoint."""

from __future__ import annotations

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, description="How many items to skip.")


class Page[T](Schema):
    count: int = Field(description="Items matching the filters, over all pages.")
    limit: int
    offset: int
    items: list[T]


def paginate(queryset: QuerySet, paging: Paging) -> dict:
    """Two queries whatever the page: the count and the page itself."""
    return {"count": queryset.count(), "limit": paging.limit, "offset": paging.offset,
            "items": list(queryset[paging.offset:paging.offset + paging.limit])}
