"""Portal pages for the automation domain."""


urlpatterns: list = []
