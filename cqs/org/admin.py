from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cqs.core.admin_scoping import ScopedAdmin
from cqs.org.models import AdministrativeUnit, Agency, Membership
from cqs.org.permissions import Action


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ScopedAdmin):
    permission = Action.MANAGE_UNITS
    list_display = ["code", "name", "division_type", "level", "parent", "is_current"]
    list_filter = ["level", "is_current"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(ScopedAdmin):
    permission = Action.MANAGE_AGENCY
    agency_path = "id"
    list_display = ["code", "name", "kind", "level", "unit", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["unit", "parent"]

    def _agency(self, obj: Agency) -> Agency | None:
        return obj if obj.pk else obj.parent

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        from cqs.org.permissions import agencies_where, has_permission

        qs = admin.ModelAdmin.get_queryset(self, request)
        if has_permission(request.user, Action.MANAGE_UNITS):
            return qs
        return qs.filter(pk__in=agencies_where(request.user, self.permission))

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        from cqs.org.permissions import has_permission

        # Moving an agency in the organisation is for the province's system administrators.
        if has_permission(request.user, Action.MANAGE_UNITS):
            return []
        return ["code", "kind", "level", "unit", "parent"]


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    permission = Action.MANAGE_AGENCY
    agency_path = "agency"
    list_display = ["user", "agency", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    autocomplete_fields = ["user", "agency"]
    verbose_name = _("vị trí công tác")
