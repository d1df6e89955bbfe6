from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accord.api.health import healthz
from accord.api.urls import api
from accord.partners.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accord.partners.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("accord.portal.urls")),
    path("console/", include("accord.console.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url="/static/accord/favicon.svg")),
]
