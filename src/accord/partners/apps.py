from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "accord.partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from accord.partners import events, signals  # noqa: F401
