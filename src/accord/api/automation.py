"""REST endpoints for the automation domain."""

from ninja import Router

router = Router(tags=["automation"])
