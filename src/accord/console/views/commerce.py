"""Console pages for the commerce domain."""


urlpatterns: list = []
