"""Portal pages for the sales domain."""


urlpatterns: list = []
