"""REST endpoints for the commerce domain."""

from ninja import Router

router = Router(tags=["commerce"])
