"""The arbitrator console: Django's admin, on its own site, for arbitrators only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ConsoleSite(admin.AdminSite):
    site_header = _("Tianping arbitration console")
    site_title = _("Tianping console")
    index_title = _("Work queue")

    def has_permission(self, request) -> bool:
        return bool(getattr(request.user, "can_arbitrate", False))


console = ConsoleSite(name="console")
