"""Console pages for the partners domain."""


urlpatterns: list = []
