from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "accord.commerce"
    verbose_name = _("Commerce")

    def ready(self) -> None:
        from accord.commerce import events, lookups  # noqa: F401
