"""A URLconf for the test that swaps ROOT_URLCONF: the same name at another path."""

from django.http import HttpResponse
from django.urls import include, path

portal = ([path("", lambda request: HttpResponse(), name="dashboard")], "portal")
urlpatterns = [path("elsewhere/", include(portal))]
