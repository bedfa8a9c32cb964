"""The officials' office pages (placeholder: the office helper replaces this module)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
