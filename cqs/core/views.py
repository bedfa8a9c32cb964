from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
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
