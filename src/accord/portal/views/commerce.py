"""Portal pages for the commerce domain."""


urlpatterns: list = []
