from django.contrib import admin

from cqs.audit.models import AuditAction
from cqs.audit.services import audit_record
from cqs.catalog.models import Procedure, ProcedureVersion, ProcessStep, RequiredDocument, Sector
from cqs.catalog.services import version_as_document
from cqs.core.admin_scoping import ScopedAdmin
from cqs.org.permissions import Action


@admin.register(Sector)
class SectorAdmin(ScopedAdmin):
    permission = Action.MANAGE_CATALOG
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name"]


@admin.register(Procedure)
class ProcedureAdmin(ScopedAdmin):
    permission = Action.MANAGE_CATALOG
    list_display = ["code", "national_code", "created_at"]
    search_fields = ["code", "national_code", "versions__name"]


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ScopedAdmin):
    permission = Action.MANAGE_CATALOG
    list_display = [
        "procedure",
        "version",
        "name",
        "sector",
        "online_level",
        "processing_time",
        "processing_unit",
        "effective_from",
    ]
    list_filter = ["sector", "online_level", "processing_unit", "electronic_result"]
    search_fields = ["procedure__code", "name"]
    autocomplete_fields = ["procedure", "sector", "agencies"]
    inlines = [RequiredDocumentInline, ProcessStepInline]
    readonly_fields = ["search_name", "search_text"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # The audit event is written in save_related, once the inlines are saved too.
        request._catalog_before = version_as_document(ProcedureVersion.objects.get(pk=obj.pk)) if obj.pk else None
        obj.save()

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_catalog_before", None)
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            instance=form.instance,
            before=before,
            after=version_as_document(form.instance),
        )
