from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accord.api.health import healthz
from accord.api.urls import api
from accord.partners.views import home
from accord.portal.views import accounts

urlpatterns = [
    path("", home, name="home"),
    *accounts.urlpatterns,  # sign-in, passwords, invitations and the language switch
    path("portal/", include("accord.portal.urls")),
    path("console/", include("accord.console.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url="/static/accord/favicon.svg")),
]
