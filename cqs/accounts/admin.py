from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cqs.accounts.models import CitizenProfile, EnterpriseProfile, User, UserKind
from cqs.audit.services import audited_save
from cqs.org.permissions import Action, agencies_where, has_permission


class CitizenProfileInline(admin.StackedInline):
    model = CitizenProfile
    extra = 0
    max_num = 1
    can_delete = False
    autocomplete_fields = ["address_unit"]


class EnterpriseProfileInline(admin.StackedInline):
    model = EnterpriseProfile
    extra = 0
    max_num = 1
    can_delete = False
    autocomplete_fields = ["address_unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "kind", "email", "phone", "email_verified", "is_active"]
    list_filter = ["kind", "is_active", "is_staff", "email_verified"]
    search_fields = [
        "username",
        "full_name",
        "email",
        "phone",
        "citizen_profile__identity_number",
        "enterprise_profile__tax_code",
    ]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Chính Quyền Số"), {"fields": ("kind", "full_name", "phone", "email_verified", "phone_verified")}),
    )

    # Saved through the audit trail, as every other change (the password never reaches it).
    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        audited_save(actor=request.user, instance=obj)

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        for instance in formset.save(commit=False):
            audited_save(actor=request.user, instance=instance)
        formset.save_m2m()

    def get_inlines(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A profile belongs to citizens' and enterprises' accounts only.
        if obj is None:
            return []
        return {UserKind.CITIZEN: [CitizenProfileInline], UserKind.ENTERPRISE: [EnterpriseProfileInline]}.get(
            obj.kind, []
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
