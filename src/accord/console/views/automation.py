"""Console pages for the automation domain."""


urlpatterns: list = []
