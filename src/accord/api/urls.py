"""One NinjaAPI at /api/v1/; each domain contributes a Router from api/<domain>.py."""

from django.http import HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from ninja import NinjaAPI

from accord.api import automation, commerce, errors, partners, sales
from accord.api.auth import AUTH
from accord.api.renderers import JSONRenderer


class AccordAPI(NinjaAPI):
    """NinjaAPI whose every 4xx, including wrong methods and unknown paths, has the common error body."""

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        return [*urls, re_path(r"^(?P<rest>.*)$", errors.unknown_endpoint)]


def _json_405(view):
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        return errors.method_not_allowed(response) if isinstance(response, HttpResponseNotAllowed) else response

    wrapper.__dict__.update(view.__dict__)
    wrapper.__name__ = getattr(view, "__name__", "view")
    return wrapper


api = AccordAPI(title="Accord API", version="1", description="Partner relationship management REST API",
                urls_namespace="api", docs_url="/docs", auth=AUTH, renderer=JSONRenderer())
errors.install(api)
api.add_router("/", partners.router)
api.add_router("/", commerce.router)
api.add_router("/", sales.router)
api.add_router("/", automation.router)
