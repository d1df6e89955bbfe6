"""Console pages for the sales domain."""


urlpatterns: list = []
