from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "accord.automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from accord.automation import builtin, events  # noqa: F401
