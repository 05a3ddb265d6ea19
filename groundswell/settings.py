"""Groundswell settings: one module, read from the environment.

Defaults are safe for production (DEBUG off, secure cookies when served over HTTPS);
`make run` supplies a generated SECRET_KEY kept in DATA_DIR. Every variable is listed in
README.md's configuration table and in .env.example.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool = False) -> bool:
    """1/true/yes/on or 0/false/no/off (any case, spaces trimmed); unset or empty = `default`.
    Anything else stops the start-up: `DEBUG=maybe` read as off would hide the typo."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean: use 1/0, true/false, yes/no or on/off."
    )


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Tests use groundswell.settings_test, which points DATA_DIR at a temporary folder.
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else the one generated into DATA_DIR by `make run`."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    from django.core.management.utils import get_random_secret_key

    key = get_random_secret_key()
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


SECRET_KEY = _secret_key()
# Old keys still accepted for signatures while rotating SECRET_KEY.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public origin used in emails and absolute API links when no request is at hand.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:" + os.environ.get("PORT", "8000")).rstrip(
    "/"
)
CAMPAIGN_NAME = os.environ.get("CAMPAIGN_NAME", "Groundswell")
# A local install (the quick start) gets demo data; a public one never does.
SITE_IS_LOCAL = urlparse(SITE_URL).hostname in {"127.0.0.1", "localhost", "::1"}
# Postal address printed in bulk mail footers (CAN-SPAM / RFC 8058 context).
CAMPAIGN_POSTAL_ADDRESS = os.environ.get("CAMPAIGN_POSTAL_ADDRESS", "")

INSTALLED_APPS = [
    "groundswell.core",
    "groundswell.geo",
    "groundswell.people",
    "groundswell.accounts",
    "groundswell.groups",
    "groundswell.events",
    "groundswell.api",
    "groundswell.ops",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    # Serves the API docs page's Swagger UI from our own static files (no CDN, CSP-clean).
    "ninja",
]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "groundswell.core.middleware.ApiPathNormalizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "groundswell.urls"
WSGI_APPLICATION = "groundswell.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "groundswell.core.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            # Needed behind PgBouncer in transaction mode (docs/deploy.md).
            disable_server_side_cursors=env_bool("DISABLE_SERVER_SIDE_CURSORS"),
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "groundswell.core.sqlite_backend",
            "NAME": str(DATA_DIR / "groundswell.sqlite3"),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; "
                    # 64 MB of page cache per connection (the default is 2 MB).
                    "PRAGMA cache_size=-65536;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # In memory, as for Django's own SQLite backend (pytest-django recognizes that
            # backend by name only, and would otherwise derive a file name from NAME).
            "TEST": {"NAME": ":memory:"},
            # Kept open between requests: a new connection re-runs the PRAGMAs above and
            # starts with a cold page cache (decision 0015).
            "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "60")),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ----------------------------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Shared by every web worker process, so rate limits hold across workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Tasks ----------------------------------------------------------------------------------
if REDIS_URL:
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Days finished task results are kept (failed ones at least 30): decision 0014.
TASK_RESULT_RETENTION_DAYS = int(os.environ.get("TASK_RESULT_RETENTION_DAYS", "7"))
# Hours an idempotency key and its first result are kept (pruned daily): decision 0021.
IDEMPOTENCY_RETENTION_HOURS = int(os.environ.get("IDEMPOTENCY_RETENTION_HOURS", "24"))
# Years ahead an event may start (and the finder may search): events.models.event_days.
EVENT_MAX_YEARS_AHEAD = int(os.environ.get("EVENT_MAX_YEARS_AHEAD", "5"))

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "groundswell.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{CAMPAIGN_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Rate limits on every account action (allauth's format: "<count>/<period>/<key>").
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = CAMPAIGN_NAME

# --- Rate limits on the public write paths (core.ratelimit, decision 0013) -----------------
# "<count>/<period>[/client|/key]", periods s, m, h, d ("10m" = ten minutes); several limits
# separated by commas. Counted per signed-in user, else per IP address; staff are exempt; an
# action left out or set to None is unlimited. Tests run with these same values.
GROUNDSWELL_RATE_LIMITS: dict[str, str | None] = {
    "group.create": "5/h",
    "group.post": "30/10m",  # board posts and replies
    "group.announce": "10/d",
    "event.create": "10/h",
    "event.message": "10/h",  # hosts messaging attendees
    # Guests RSVPing: 20 a minute from one IP, 5 an hour for one email address on one event.
    "event.rsvp_guest": "20/m/client,5/h/key",
}
# How many reverse proxies (load balancer, CDN) append to X-Forwarded-For in front of the
# app; 0 = the client is REMOTE_ADDR and the header is ignored (anyone can forge it).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or "0")

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{CAMPAIGN_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_DIR = DATA_DIR / "mail"


def _mailers(email_url: str) -> dict:
    """EMAIL_URL: unset = one .eml file per message in DATA_DIR/mail; smtp://, smtps:// or
    anymail://<esp> (e.g. anymail://postmark, credentials through ANYMAIL_* variables)."""
    if not email_url:
        return {
            "default": {
                "BACKEND": "groundswell.core.mail.EmlFileBackend",
                "OPTIONS": {"file_path": str(MAIL_DIR)},
            }
        }
    parsed = urlparse(email_url)
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    if parsed.scheme in {"smtp", "smtps", "submission"}:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": parsed.hostname or "localhost",
                    "port": parsed.port or (465 if parsed.scheme == "smtps" else 587),
                    "username": unquote(parsed.username or ""),
                    "password": unquote(parsed.password or ""),
                    "use_ssl": parsed.scheme == "smtps",
                    "use_tls": parsed.scheme == "submission" or query.get("tls") == "1",
                    "timeout": 20,
                },
            }
        }
    if parsed.scheme == "anymail":
        esp = parsed.netloc
        return {"default": {"BACKEND": f"anymail.backends.{esp}.EmailBackend"}}
    if parsed.scheme == "console":
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    raise ValueError(f"EMAIL_URL scheme {parsed.scheme!r} is not supported")


MAILERS = _mailers(os.environ.get("EMAIL_URL", ""))
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_")
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
# Each app keeps its own catalog in <app>/locale/ (one owner per file).
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = SITE_URL.startswith("https")
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Serve uploads from the app when they live on local disk; off once object storage serves them.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Static files are served from STATIC_ROOT (collectstatic), not looked up per request.
WHITENOISE_USE_FINDERS = False
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
# Profile photos: the largest file accepted and the largest pixel area decoded.
PROFILE_PHOTO_MAX_BYTES = 5 * 1024 * 1024
PROFILE_PHOTO_MAX_PIXELS = 40_000_000

# --- Security -------------------------------------------------------------------------------
SECURE_HTTPS = SITE_URL.startswith("https")
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_HTTPS else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
TILE_SERVER_URL = os.environ.get(
    "TILE_SERVER_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [
        CSP.SELF,
        "data:",
        urlparse(TILE_SERVER_URL).scheme + "://" + urlparse(TILE_SERVER_URL).netloc,
    ],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- API ------------------------------------------------------------------------------------
NINJA_PAGINATION_MAX_LIMIT = 100
API_DEFAULT_PER_PAGE = 25
API_MAX_PER_PAGE = 100

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Tables `flush` keeps: reference data loaded by migrations, not written by users.
REFERENCE_DATA_TABLES = ["geo_postalcode", "django_site"]
