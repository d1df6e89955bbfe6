"""One NinjaAPI at /api/v1/; each domain contributes a Router from api/<domain>.py."""

from ninja import NinjaAPI

from accord.api import automation, commerce, partners, sales

api = NinjaAPI(title="Accord API", version="1", description="Partner relationship management REST API",
               urls_namespace="api", docs_url="/docs")
api.add_router("/", partners.router)
api.add_router("/", commerce.router)
api.add_router("/", sales.router)
api.add_router("/", automation.router)
