"""The portal: each domain's pages live in portal/views/<domain>.py with their own urlpatterns."""

from accord.portal.views import automation, commerce, partners, recruitment, sales

app_name = "portal"
urlpatterns = [*partners.urlpatterns, *commerce.urlpatterns, *sales.urlpatterns, *automation.urlpatterns,
               *recruitment.urlpatterns]
