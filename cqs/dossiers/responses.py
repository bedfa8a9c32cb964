"""The HTTP answers that hand a dossier's files over, shared by the citizen's pages, the office
pages and the API, so each file is always served the same way (never by its storage path)."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse

from cqs.dossiers import files
from cqs.dossiers.models import Dossier, DossierDocument, StoredFile
from cqs.dossiers.queries import safe_filename

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def stored_file(stored: StoredFile, filename: str) -> FileResponse:
    return FileResponse(
        files.open_stored(stored.sha256), content_type=stored.content_type, as_attachment=True, filename=filename
    )


def attached_document(document: DossierDocument) -> FileResponse:
    """A document the applicant attached, under the name it was uploaded with (made safe)."""
    return stored_file(document.file, safe_filename(document.original_name))


def result_file(dossier: Dossier, stored: StoredFile) -> FileResponse:
    """The result document, named after the dossier: `ket-qua-<code>.<ext>`."""
    return stored_file(stored, f"ket-qua-{dossier.code}.{EXTENSIONS.get(stored.content_type, 'pdf')}")


def pdf(content: bytes, filename: str) -> HttpResponse:
    """A generated PDF (receipt, standard forms), shown in the browser."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
