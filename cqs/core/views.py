from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and the run command."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # The reason without connection details (they may include credentials).
        return JsonResponse({"status": "error", "database": "unreachable", "reason": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and feed readers ask for whatever the pages link to. Resolved
    per request: in production the icon's name carries its content hash (the static manifest)."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("portal/favicon.svg"), permanent=True)
