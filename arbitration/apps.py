from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArbitrationConfig(AppConfig):
    name = "arbitration"
    verbose_name = _("Arbitration")

    def ready(self):
        """A party whose credit tier moves changes the risk of its open disputes."""
        from accounts.credit import credit_tier_changed

        from .services.risk import on_credit_tier_changed

        credit_tier_changed.connect(on_credit_tier_changed, dispatch_uid="arbitration.risk")
