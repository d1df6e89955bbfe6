"""REST endpoints for the sales domain."""

from ninja import Router

router = Router(tags=["sales"])
