"""Limit/offset pagination with the total count, shared by every list endpoint."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema

from accord.partners.prepared import PreparedQuery

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


def paginate_prepared(rows: PreparedQuery, count: PreparedQuery, paging: Paging, **arguments) -> dict:
    """`paginate` for prepared queries, with the page as plain rows; `rows` takes the window as `offset` and `limit`.

    A page that is not full and not past the end shows where the list ends, so the count query is only
    needed otherwise.
    """
    items = rows.rows(offset=paging.offset, limit=paging.limit, **arguments)
    ends_the_list = len(items) < paging.limit and (items or not paging.offset)
    total = paging.offset + len(items) if ends_the_list else count.count(**arguments)
    return {"count": total, "limit": paging.limit, "offset": paging.offset, "items": items}


def page_response(request: HttpRequest, page: dict) -> HttpResponse:
    """Render a page whose items are already JSON-ready dicts in the schema's field order.

    Ninja would re-validate such a page against the response schema, wrapping every value of every item in a
    DjangoGetter; the endpoint still declares the schema for its documentation.
    """
    from accord.api.urls import api  # the routers are imported by urls, so the API object only at call time

    return api.create_response(request, page, status=200)
