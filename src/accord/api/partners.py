"""REST endpoints for the partners domain."""

from ninja import Router

router = Router(tags=["partners"])
