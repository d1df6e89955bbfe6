"""The console: each domain's pages live in console/views/<domain>.py with their own urlpatterns."""

from accord.console.views import automation, commerce, partners, sales

app_name = "console"
urlpatterns = [*partners.urlpatterns, *commerce.urlpatterns, *sales.urlpatterns, *automation.urlpatterns]
