"""A liveness probe for load balancers and process supervisors."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer "ok" without touching the database, so a slow database never takes web processes out of rotation."""
    return HttpResponse("ok", content_type="text/plain")
