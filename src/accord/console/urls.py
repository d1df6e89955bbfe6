"""The console: each domain's pages live in console/views/<domain>.py with their own urlpatterns."""

from accord.console.views import automation, commerce, partners, recruitment, sales, segments

app_name = "console"
urlpatterns = [
    *partners.urlpatterns, *recruitment.urlpatterns, *segments.urlpatterns,
    *commerce.urlpatterns, *sales.urlpatterns, *automation.urlpatterns,
]
