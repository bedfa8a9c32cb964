"""A cache of anonymous CKAN read answers ("bộ đệm API CKAN"), valid while the catalogue is unchanged.

CKAN portals put Varnish in front of CKAN for the same reason: most of the API's traffic is the
same public reads (harvesters, dashboards, `ckanapi` scripts), and building a `package_search`
answer with five facets costs far more than sending it again. Two levels: each web process keeps
recent answers in memory, and all processes share the answers in an unlogged table (migration
0005), so an answer is built once, not once per process. Every hit is checked against the
catalogue's version in the same single query (the number is bumped by triggers on every catalogue
table, migration 0004), so an answer is never stale: the first read after a committed change
misses and rebuilds.

Only answers that are the same for every caller are kept: GET, no token, no session cookie, a
read action whose answer depends on catalogue tables only (not the DataStore's tables), status
200. The cache sits near the top of the middleware stack, so a hit skips sessions, CSRF,
authentication and the view; the stored answer keeps the headers the full stack gave it.
"""

from __future__ import annotations

import json
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


# One round trip: the current version, and the shared answer for the key at that version unless
# this process already holds it (then the body is not sent again).
_LOOKUP = """
SELECT v.version,
       CASE WHEN v.version = %s THEN NULL ELSE c.body END,
       CASE WHEN v.version = %s THEN NULL ELSE c.headers END
FROM opendata_catalogue_version v
LEFT JOIN opendata_api_cache c ON c.key = %s AND c.version = v.version
WHERE v.id = 1
"""
_STORE = """
INSERT INTO opendata_api_cache (key, version, body, headers) VALUES (%s, %s, %s, %s)
ON CONFLICT (key) DO UPDATE SET version = EXCLUDED.version, body = EXCLUDED.body,
    headers = EXCLUDED.headers, stored_at = now()
WHERE opendata_api_cache.version < EXCLUDED.version
"""
# Answers of older versions are dead weight: swept now and then by whoever stores.
_SWEEP = "DELETE FROM opendata_api_cache WHERE version < %s"
SWEEP_EVERY = 500


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
        self.entries: OrderedDict[str, _Entry] = OrderedDict()
        self.size = 0
        self.stored = 0
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.limit or request.method != "GET" or _action(request.path_info) is None or _personal(request):
            return self.get_response(request)
        key = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        with self.lock:
            mine = self.entries.get(key)
        with connection.cursor() as cursor:
            cursor.execute(_LOOKUP, [mine.version if mine else -1, mine.version if mine else -1, key])
            row = cursor.fetchone()
        if row is None:
            return self.get_response(request)
        version, body, headers = row
        if mine is not None and mine.version == version:
            with self.lock:
                if key in self.entries:  # another thread may have evicted it meanwhile
                    self.entries.move_to_end(key)
            return self._answer(mine, "hit")
        if body is not None:
            # Django's connection hands jsonb over as text (its JSONField decodes it).
            entry = _Entry(version, bytes(body), json.loads(headers) if isinstance(headers, str) else headers)
            self._keep(key, entry)
            return self._answer(entry, "hit")
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming:
            # Built after `version` was read, so from data at least that new: if the catalogue
            # changed meanwhile, the next read sees a newer version and misses, never a stale hit.
            entry = _Entry(version, response.content, dict(response.items()))
            if self._keep(key, entry):
                self._share(key, entry)
            response[HIT_HEADER] = "miss"
        return response

    @staticmethod
    def _answer(entry: _Entry, how: str) -> HttpResponse:
        response = HttpResponse(entry.content, headers=entry.headers)
        response[HIT_HEADER] = how
        return response

    def _keep(self, key: str, entry: _Entry) -> bool:
        """Keep in this process; False when the answer is too large to cache at all."""
        cost = len(entry.content) + 512
        if cost > self.limit // 8:
            return False  # one huge answer (rows=1000) must not flush everything else
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.content) + 512
            self.entries[key] = entry
            self.size += cost
            while self.size > self.limit and self.entries:
                _key, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted.content) + 512
            self.stored += 1
            sweep = self.stored % SWEEP_EVERY == 0
        return True if not sweep else self._sweep(entry.version)

    def _sweep(self, version: int) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(_SWEEP, [version])
        return True

    @staticmethod
    def _share(key: str, entry: _Entry) -> None:
        with connection.cursor() as cursor:
            cursor.execute(_STORE, [key, entry.version, entry.content, json.dumps(entry.headers)])
