from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cqs.accounts.models import User, UserKind
from cqs.org.permissions import Action, agencies_where, has_permission


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "kind", "email", "is_active"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Chính Quyền Số"), {"fields": ("kind", "full_name", "phone")}),
    )

    # Accounts are province-wide data: only system administrators manage them here. Agency
    # administrators still pick officials in the memberships page (autocomplete).
    def has_module_permission(self, request):  # type: ignore[no-untyped-def]
        return has_permission(request.user, Action.MANAGE_UNITS)

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Agency administrators may look officials up (the memberships page's autocomplete).
        return (
            has_permission(request.user, Action.MANAGE_UNITS)
            or agencies_where(request.user, Action.MANAGE_AGENCY).exists()
        )

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        qs = super().get_queryset(request)
        if has_permission(request.user, Action.MANAGE_UNITS):
            return qs
        return qs.filter(kind=UserKind.OFFICIAL)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return has_permission(request.user, Action.MANAGE_UNITS)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return has_permission(request.user, Action.MANAGE_UNITS)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
