"""Admin pages that ask `org.permissions` instead of Django's model permissions, and save through
the audited services, so the admin cannot do what the API would refuse."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from cqs.audit.services import audited_delete, audited_save
from cqs.org.permissions import Action, agencies_where, has_permission


class ScopedAdmin(admin.ModelAdmin):
    """Subclasses name the `permission` needed and how to find an object's agency (`agency_path`,
    None for province-wide data such as the calendar)."""

    permission: Action
    agency_path: str | None = None

    def _agency(self, obj: Model) -> Any:
        if self.agency_path is None:
            return None
        target: Any = obj
        for part in self.agency_path.split("__"):
            target = getattr(target, part, None)
        return target

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if self.agency_path is None or has_permission(request.user, Action.MANAGE_UNITS):
            return qs if self.has_module_permission(request) else qs.none()
        scope = agencies_where(request.user, self.permission)
        return qs.filter(**{f"{self.agency_path}__in": scope})

    def has_module_permission(self, request: HttpRequest) -> bool:
        if self.agency_path is None:
            return has_permission(request.user, self.permission)
        return agencies_where(request.user, self.permission).exists()

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return has_permission(request.user, self.permission, self._agency(obj))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if not has_permission(request.user, self.permission, self._agency(obj)):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        audited_save(actor=request.user, instance=obj)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audited_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            audited_delete(actor=request.user, instance=obj)
