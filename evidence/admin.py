"""The console's read-only list of evidence files, with thumbnails of the safe copies."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from arbitration.console import ConsoleAccess, console, evidence_url

from .models import Evidence


@admin.register(Evidence, site=console)
class EvidenceAdmin(ConsoleAccess, admin.ModelAdmin):
    list_display = (
        "thumbnail",
        "role",
        "kind",
        "order",
        "dispute",
        "submitted_by",
        "analysis",
        "created_at",
    )
    list_filter = ("role", "kind", "analysis")
    list_select_related = ("order", "dispute__order", "submitted_by")
    search_fields = ("order__external_id", "sha256", "caption")
    fields = (
        "thumbnail",
        "uid",
        "order",
        "dispute",
        "submitted_by",
        "role",
        "kind",
        "caption",
        "original_name",
        "format",
        "mime",
        "size",
        "width",
        "height",
        "sha256",
        "analysis",
        "created_at",
    )
    readonly_fields = ("thumbnail", "uid", "created_at")
    actions = None

    @admin.display(description=_("file"))
    def thumbnail(self, obj):
        """The EXIF-free copy as a thumbnail, linking to the original (arbitrators may see it)."""
        if obj.kind != Evidence.Kind.IMAGE:
            return format_html(
                '<a href="{}">▶ {}</a>',
                evidence_url(obj.uid, original=True),
                obj.get_kind_display(),
            )
        return format_html(
            '<a href="{}"><img class="thumb" src="{}" alt="{}" loading="lazy"></a>',
            evidence_url(obj.uid, original=True),
            evidence_url(obj.uid),
            obj.caption or obj.get_role_display(),
        )
