"""Django settings for Allied, read from the environment.

Everything that differs between a laptop and a deployment comes from an ``ALLIED_*`` variable or
``DATABASE_URL`` through the small strict helpers below. A malformed value stops start-up with an
``ImproperlyConfigured`` error instead of quietly falling back to a default.

Defaults are for the offline demo (``ALLIED_DEBUG=true``, local mode): an SQLite file in ``var/``,
a fixed insecure secret key, plain HTTP on localhost, and the demo's public password allowed. With
``ALLIED_DEBUG=false`` the secret key must be given and HTTPS settings apply. Django's own debug
mode (tracebacks, settings and SQL on error pages) is separate and off unless
``ALLIED_DJANGO_DEBUG=true`` asks for it on a developer's machine: error pages are the site's own.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR / "allied"
VAR_DIR = BASE_DIR / "var"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable ``name``, or ``default``; with no default, the variable is required."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean variable; only 1/0, true/false, yes/no and on/off are accepted."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int) -> int:
    """Return a whole-number variable; anything that is not a whole number is refused."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from error


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list, ignoring blanks around the commas."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str, *, conn_max_age: int = 0) -> dict[str, Any]:
    """Turn ``postgres://user:password@host:port/name?option=value`` into a Django DATABASES entry.

    Only PostgreSQL is accepted here: SQLite is what you get by leaving ``DATABASE_URL`` unset.
    Query parameters (``sslmode=require`` and the like) are passed to psycopg as OPTIONS.
    ``conn_max_age`` is how long a connection is kept when ``ALLIED_DB_CONN_MAX_AGE`` is unset.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        # The URL may hold a password, so the message names only the scheme.
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres://, not {parts.scheme or '(nothing)'}://."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise ImproperlyConfigured("DATABASE_URL must name one database: postgres://.../NAME.")
    try:
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured("DATABASE_URL has a port that is not a number.") from error
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port) if port else "",
        "OPTIONS": dict(parse_qsl(parts.query, strict_parsing=False)),
        # A connection is kept for ALLIED_DB_CONN_MAX_AGE seconds (production: 600; opening one
        # costs 10-15 ms of wall and 5-10 ms of PostgreSQL CPU per request) and checked before a
        # request reuses it, so one cut by a database restart is replaced, not used (see
        # allied.core.errors). Nothing Allied sets outlives a transaction, so the same settings
        # work behind PgBouncer in transaction mode (README, "How it scales"). Django's psycopg
        # cursors bind parameters on the client: no server-side prepared statements, which
        # PgBouncer before 1.21 cannot carry; do not set OPTIONS server_side_binding.
        "CONN_MAX_AGE": env_int("ALLIED_DB_CONN_MAX_AGE", conn_max_age),
        "CONN_HEALTH_CHECKS": True,
    }


def sqlite_database(path: Path) -> dict[str, Any]:
    """The default database: one SQLite file, whose folder is created if it is missing.

    Set up so that several people at once queue rather than fail with "database is locked":
    the write-ahead log lets readers go on while one writer writes; a writer waits up to thirty
    seconds for the lock (the busy timeout) instead of failing at once; and every transaction
    takes the write lock when it begins (``BEGIN IMMEDIATE``). The last is for all requests, not
    only the unsafe methods: a page read appends to the audit log, and a deferred transaction
    that read first and then writes cannot wait for the lock (SQLite refuses it at once, since
    its snapshot may be stale), so a read-then-write request must begin as a writer. With WAL
    each waits only for the others' short view transactions; sign-in, sessions and the
    audit log queue in turn. Thirty seconds, not ten: a sign-in holds the lock while it checks
    the password hash (about a second on a busy two-core laptop), and twelve people signing in
    at once queue behind each other. ``synchronous=NORMAL`` is safe with WAL (a power cut may
    lose the last commits, never corrupt the file) and spares a sync on every commit.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000"
            ),
        },
    }


# --- Core -----------------------------------------------------------------------------------

# Local mode, for the offline demo on one machine: a known secret key, localhost, plain HTTP and
# the demo's public password. It does not switch on Django's debug pages.
ALLIED_LOCAL = env_bool("ALLIED_DEBUG", default=True)
# Django's debug mode shows whoever meets an error a traceback, the settings, the environment
# (API tokens included) and the SQL: only on explicit request, and only in local mode.
DEBUG = env_bool("ALLIED_DJANGO_DEBUG", default=False)
if DEBUG and not ALLIED_LOCAL:
    raise ImproperlyConfigured("ALLIED_DJANGO_DEBUG=true needs ALLIED_DEBUG=true (local mode).")

# A known key is only acceptable in local mode, for the offline demo; anything else must set one.
_DEV_SECRET_KEY = "django-insecure-allied-demo-key-do-not-use-outside-a-laptop"
SECRET_KEY = env_str("ALLIED_SECRET_KEY", default=_DEV_SECRET_KEY if ALLIED_LOCAL else None)
# Keys the audit log's hash chain (HMAC), so that write access to the database is not enough to
# rewrite history and recompute the chain. Unset, the chain is a plain SHA-256 chain.
ALLIED_AUDIT_KEY = env_str("ALLIED_AUDIT_KEY", default="") or None
# Refused attempts are audited (`denied`), at most this many a minute per person, so that a crawl
# of missing records cannot flood the log.
ALLIED_AUDIT_DENIED_PER_MINUTE = env_int("ALLIED_AUDIT_DENIED_PER_MINUTE", 30)

ALLOWED_HOSTS = env_list(
    "ALLIED_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if ALLIED_LOCAL else []
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "allied.core",
    "allied.intel",
    "allied.arms",
    "allied.planning",
    "allied.people",
    "allied.working_group",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response: local scripts and styles only, none inline.
    "allied.core.security.ContentSecurityPolicyMiddleware",
    # With a read replica configured, a safe request reads marked records there (db_router).
    "allied.core.db_router.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session ends a working day after sign-in, or after half an hour idle (allied.core.security).
    "allied.core.security.SessionTimeoutMiddleware",
    # Every page needs a signed-in user unless its view is marked login_not_required.
    "allied.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Input no field accepts (NUL, unpaired surrogates, bidi controls, oversized values and
    # bodies) is refused here, naming the field, before any view reads it.
    "allied.core.input_limits.InputLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view's 404 or 403 is the site's own page in every mode (allied.core.errors).
    "allied.core.errors.ErrorPagesMiddleware",
    # Refused attempts (403, 404, a refused export) are audited as `denied`, rate-limited.
    "allied.core.audit.DeniedAuditMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "allied.urls"
WSGI_APPLICATION = "allied.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "allied.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

_DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
DATABASES = {
    "default": (
        # Production keeps its connections; local mode (the demo, tests) opens one per request.
        database_from_url(_DATABASE_URL, conn_max_age=0 if ALLIED_LOCAL else 600)
        if _DATABASE_URL
        else sqlite_database(Path(env_str("ALLIED_SQLITE_PATH", str(VAR_DIR / "allied.sqlite3"))))
    )
}
# Every request is one transaction: a write is acknowledged only once committed, and on
# PostgreSQL the viewer's transaction-local settings reach the row-level security policies.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A PostgreSQL streaming replica (a hot standby of DATABASE_URL, connected to as the same
# application role): safe requests read marked records from it, and everything else, every write
# and audit entry included, goes to the primary (allied.core.db_router). Its requests are
# transactions too, so the viewer's settings reach its row-level security policies.
_REPLICA_URL = os.environ.get("ALLIED_DB_REPLICA_URL", "").strip()
if _REPLICA_URL:
    if not _DATABASE_URL:
        raise ImproperlyConfigured("ALLIED_DB_REPLICA_URL needs DATABASE_URL (its primary).")
    DATABASES["replica"] = {
        **database_from_url(_REPLICA_URL),
        "ATOMIC_REQUESTS": True,
        # Tests read the replica's alias from the primary's test database.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["allied.core.db_router.ReplicaRouter"]
# For how long after a person's write their reads stay on the primary, which has it for sure.
ALLIED_DB_REPLICA_STICKY_SECONDS = env_int("ALLIED_DB_REPLICA_STICKY_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Large enough for a TAXII envelope of the size the API root advertises (50 MiB); bigger bodies
# are refused with a clear error before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ALLIED_MAX_BODY_BYTES", 50 * 1024 * 1024)
# Every other request body (page forms and the JSON API) is refused above 5 MiB, and any single
# value in it (a form field, a JSON string or key, a query parameter) above 100,000 characters,
# with 413 or 400 naming the field (allied.core.input_limits).
ALLIED_MAX_INPUT_BYTES = env_int("ALLIED_MAX_INPUT_BYTES", 5 * 1024 * 1024)
ALLIED_MAX_TEXT_CHARS = env_int("ALLIED_MAX_TEXT_CHARS", 100_000)

# --- Authentication -------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username and address before any password is checked.
# DRF token authentication does not go through these backends, so tokens are unaffected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A form that fails the CSRF check is answered by a page of the site saying what to do.
CSRF_FAILURE_VIEW = "allied.core.errors.csrf_failure"

# Lockout after repeated failed sign-ins (django-axes). Five failures for one username from one
# address lock that pair out for 30 minutes; a failure while locked out restarts the 30 minutes.
# Locking the pair, not the username alone, keeps a stranger from locking a user out everywhere.
# The client address is REMOTE_ADDR: headers such as X-Forwarded-For are not trusted.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "allied.core.lockout.locked_out"
AXES_ENABLE_ADMIN = False

# --- Security -------------------------------------------------------------------------------

# Outside the demo Allied is served over HTTPS only; ALLIED_HTTPS=false is for a test rig.
HTTPS = env_bool("ALLIED_HTTPS", default=not ALLIED_LOCAL)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# Served over HTTPS, browsers are told to keep to it (a year unless ALLIED_HSTS_SECONDS says
# otherwise; 0 switches HSTS off, which only takes effect once the old header has expired).
SECURE_HSTS_SECONDS = env_int("ALLIED_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ALLIED_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = False


def proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """The header a TLS-terminating proxy sets to ``https`` (``off``: no proxy is trusted)."""
    name = name.strip()
    if name.lower() in _FALSE:
        return None
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ImproperlyConfigured("ALLIED_PROXY_SSL_HEADER must be a header name or off.")
    return ("HTTP_" + name.upper().replace("-", "_"), "https")


# Behind a reverse proxy that terminates TLS, every request reaches Allied over plain HTTP; without
# trusting the proxy's X-Forwarded-Proto, SECURE_SSL_REDIRECT would redirect each one for ever.
# The proxy must set the header itself (overwriting any a client sent).
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(
    env_str("ALLIED_PROXY_SSL_HEADER", default="X-Forwarded-Proto" if HTTPS else "off")
)
# A signed-in session ends after a working day, and after half an hour without a request.
SESSION_COOKIE_AGE = env_int("ALLIED_SESSION_SECONDS", default=8 * 3600)
ALLIED_SESSION_IDLE_SECONDS = env_int("ALLIED_SESSION_IDLE_SECONDS", default=30 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------

# allied/static/vendor/uswds/ is filled by `make assets` from the npm registry and is gitignored;
# the templates still work, unstyled, when it is missing.
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first, so an anonymous API client gets 401 with WWW-Authenticate: Token, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "allied.core.api.pagination.NextOnlyPagination",
    # A refused write (a marking its author could not read back, a stale version) is answered
    # here, once, for every endpoint.
    "EXCEPTION_HANDLER": "allied.core.api.errors.exception_handler",
    "PAGE_SIZE": 100,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Allied API",
    "DESCRIPTION": "Read-only registry of nations and the communities they belong to.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes the whole API surface, so it is for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI comes from drf-spectacular-sidecar's static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Every operation also documents its 400, 401, 403 and 404 answers.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "allied.core.api.schema.document_errors",
    ],
}

# --- Logging --------------------------------------------------------------------------------

# SQL is never logged (django.db.backends stays at INFO: queries can carry password hashes and
# tokens), and every record goes through a filter that blanks anything shaped like a credential.
LOG_LEVEL = env_str("ALLIED_LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "allied.log_filters.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        # runserver's request lines, redacted too: a query string can carry a token.
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's own handlers so that nothing bypasses the redacting filter.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # django-axes announces itself at INFO on every start-up, including each management command.
        "axes.apps": {"level": "WARNING"},
    },
}
