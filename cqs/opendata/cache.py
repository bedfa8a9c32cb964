"""A cache of anonymous CKAN read answers ("bộ đệm API CKAN"), valid while the catalogue is unchanged.

CKAN portals put Varnish in front of CKAN for the same reason: most of the API's traffic is the
same public reads (harvesters, dashboards, `ckanapi` scripts), and building a `package_search`
answer with five facets costs far more than sending it again. Here the cache is in each web
process and every hit is checked against the catalogue's version (one primary-key read; the
number is bumped by triggers on every catalogue table, see migration 0004), so an answer is never
stale: the first read after a committed change misses and rebuilds.

Only answers that are the same for every caller are kept: GET, no token, no session cookie, a
read action whose answer depends on catalogue tables only (not the DataStore's tables), status
200. The cache sits near the top of the middleware stack, so a hit skips sessions, CSRF,
authentication and the view; the stored answer keeps the headers the full stack gave it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

PREFIXES = ("/api/3/action/", "/api/action/")
# Answers built from opendata_* and org_* tables only; DataStore reads and per-user answers are not
# cached (their data are not covered by the version's triggers, or differ by caller).
CACHEABLE = frozenset(
    {
        "status_show",
        "package_list",
        "package_search",
        "package_show",
        "resource_show",
        "organization_list",
        "organization_show",
        "group_list",
        "group_show",
        "tag_list",
        "license_list",
        "help_show",
    }
)
HIT_HEADER = "X-CQS-Cache"


def catalogue_version() -> int | None:
    """The committed catalogue version (None when the table is missing its row)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM opendata_catalogue_version WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def _action(path: str) -> str | None:
    for prefix in PREFIXES:
        if path.startswith(prefix):
            name = path[len(prefix) :].rstrip("/")
            return name if name in CACHEABLE else None
    return None


def _personal(request: HttpRequest) -> bool:
    """Whether the answer may depend on who asks: a token, or a signed-in browser's session."""
    meta = request.META
    return bool(
        meta.get("HTTP_AUTHORIZATION")
        or meta.get("HTTP_X_CKAN_API_KEY")
        or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    )


class _Entry:
    __slots__ = ("content", "headers", "version")

    def __init__(self, version: int, content: bytes, headers: dict[str, str]) -> None:
        self.version = version
        self.content = content
        self.headers = headers


class CkanReadCacheMiddleware:
    """Serves a cached anonymous CKAN read while the catalogue version it was built at holds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = int(getattr(settings, "CQS_OPENDATA_CACHE_BYTES", 0))
        self.entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.limit or request.method != "GET" or _action(request.path_info) is None or _personal(request):
            return self.get_response(request)
        version = catalogue_version()
        if version is None:
            return self.get_response(request)
        key = (request.scheme, request.get_host(), request.get_full_path())
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and entry.version == version:
                self.entries.move_to_end(key)
                response = HttpResponse(entry.content, headers=entry.headers)
                response[HIT_HEADER] = "hit"
                return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming:
            # Built after `version` was read, so from data at least that new: if the catalogue
            # changed meanwhile, the next read sees a newer version and misses, never a stale hit.
            self._store(key, _Entry(version, response.content, dict(response.items())))
            response[HIT_HEADER] = "miss"
        return response

    def _store(self, key: tuple[str, str, str], entry: _Entry) -> None:
        cost = len(entry.content) + 512
        if cost > self.limit // 8:
            return  # one huge answer (rows=1000) must not flush everything else
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.content) + 512
            self.entries[key] = entry
            self.size += cost
            while self.size > self.limit and self.entries:
                _key, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted.content) + 512
