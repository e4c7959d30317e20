"""phongdich settings, read from the environment with safe development defaults (see README, "Configuration")."""
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PHONGDICH_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: `make run` sets DEBUG=1; the test suite runs with PHONGDICH_TESTING=1.
DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("PHONGDICH_TESTING", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off (production): set it in the environment file "
            "(deploy/phongdich.env.example). For development on this machine, set DEBUG=1 (as `make run` does)."
        )
    # Development: generate once and keep it, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "core.views.csrf_failure"  # in the site's frame, like the other error pages

INSTALLED_APPS = [
    "core.admin_site.AdminConfig",  # Django's admin at /quantri/: system administrators only, behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Shared plumbing first, then one app per domain. Dependencies point down this list.
    "core",
    "audit",
    "geo",
    "accounts",
    "facilities",
    "people",
    "diseases",
    "testing",
    "cases",
    "contacts",
    "vaccination",
    "levels",
    "supplies",
    "directives",
    "reports",
    "dataprotection",
    "fieldapp",  # the offline field app: reads the care apps through their selectors, writes through their services
]

MIDDLEWARE = [
    "core.logs.RequestIdMiddleware",  # first: every log line of the request carries its id
    "core.health.HealthzMiddleware",  # /healthz/ before SSL redirect, host check, session and sign-in
    "django.middleware.security.SecurityMiddleware",
    "core.uploads.UploadLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.RefuseImpossibleCharactersMiddleware",  # NUL & co. in parameters: a clear 400, never a 500
]

ROOT_URLCONF = "phongdich.urls"
WSGI_APPLICATION = "phongdich.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL selects PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'phongdich.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions: concurrent writers wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    INSTALLED_APPS.append("django.contrib.postgres")
    if env_bool("DB_PREPARED_STATEMENTS", False):
        # Server-side parameter binding: psycopg prepares a statement run 5 times on a connection and PostgreSQL then
        # skips parsing and planning it (half its CPU per check submission, docs/cases.md). For persistent
        # connections (DB_CONN_MAX_AGE); not behind a transaction-pooling PgBouncer.
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MixedCharacterValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions expire after inactivity (shared phones at commune stations).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Throttling of failed logins (django-axes): lock a username+address after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "phongdich"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["phongdich.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from the npm registry (package.json) at build time, never from the repo.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "static"]
(STATIC_ROOT).mkdir(exist_ok=True)
for _prefix, _sub in [
    ("vendor/echarts", "echarts/dist"),
    ("vendor/leaflet", "leaflet/dist"),
    ("vendor/cytoscape", "cytoscape/dist"),
]:
    if (NODE_MODULES / _sub).is_dir():
        STATICFILES_DIRS.append((_prefix, NODE_MODULES / _sub))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Uploads and imports (docs/imports.md): an upload above 2.5 MB is spooled to disk, never held in memory; a request
# larger than PHONGDICH_UPLOAD_MAX_MB is refused in words before its body is read (core.uploads); an XLSX may not
# expand beyond PHONGDICH_XLSX_MAX_EXPANDED_MB, nor a file hold more than PHONGDICH_IMPORT_MAX_ROWS rows; a
# background import whose heartbeat is older than PHONGDICH_IMPORT_STALE_MINUTES lost its worker.
PHONGDICH_UPLOAD_MAX_MB = env_int("PHONGDICH_UPLOAD_MAX_MB", 50)
PHONGDICH_XLSX_MAX_EXPANDED_MB = env_int("PHONGDICH_XLSX_MAX_EXPANDED_MB", 500)
PHONGDICH_IMPORT_MAX_ROWS = env_int("PHONGDICH_IMPORT_MAX_ROWS", 2_000_000)
PHONGDICH_IMPORT_STALE_MINUTES = env_int("PHONGDICH_IMPORT_STALE_MINUTES", 10)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # the non-file part of a request (form fields, JSON)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",  # hashed, named, expiring tokens (docs/administration.md)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public": "30/min", "selfreport": "30/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "phongdich API",
    "DESCRIPTION": "REST API of phongdich. Same permissions and jurisdiction scoping as the web UI.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (users' networks may be closed: no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation lists its error answers (400/401/403/404/409/429), checked by tests/test_api_schema.py.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api_schema.add_error_responses"],
    # Two choice sets are named "role": a user's (accounts) and an agency's part in a task (directives).
    "ENUM_NAME_OVERRIDES": {"UserRoleEnum": "core.roles.Role", "AssignmentRoleEnum": "directives.models.Assignment.Role"},
}

# Background and scheduled jobs: Celery with Redis when REDIS_URL is set, otherwise in-process.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    # Without Redis: files under var/cache/, shared by every worker process of the machine (rate-limit counters must
    # not live in one worker's memory; docs/security.md).
    else {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}}
)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "phongdich@localhost")

# The demo installation (`make run`): demo accounts keep the README's shared password. Anywhere else they must choose
# their own at first sign-in (docs/administration.md).
PHONGDICH_DEMO = env_bool("PHONGDICH_DEMO", DEBUG)
# Days an API token lasts unless its creator chooses fewer.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)

# Public base URL used in QR codes (certificates, self-report links).
# Unset in development: derived from the request (core.security.public_url); required when DEBUG is off.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "")
# The province this installation serves (GSO code); Kon Tum (62) before 2025.
PHONGDICH_PROVINCE_CODE = env_str("PHONGDICH_PROVINCE_CODE", "62")

# Backups (docs/backup.md): archive folder, nightly schedule, retention, encryption key, second location.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_SCHEDULE = env_bool("BACKUP_SCHEDULE", True)
BACKUP_HOUR = env_int("BACKUP_HOUR", 1)
BACKUP_MINUTE = env_int("BACKUP_MINUTE", 30)
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 4)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12)
BACKUP_ENCRYPTION_KEY_FILE = env_str("BACKUP_ENCRYPTION_KEY_FILE", "")
BACKUP_ENCRYPTION_KEY = env_str("BACKUP_ENCRYPTION_KEY", "")
BACKUP_COPY_TO = env_str("BACKUP_COPY_TO", "")  # a mounted path or s3://bucket/prefix
BACKUP_S3_ENDPOINT_URL = env_str("BACKUP_S3_ENDPOINT_URL", "")  # MinIO, Viettel/FPT/VNPT object storage, ...
# Key of the stable pseudonyms in research exports (docs/data-protection.md); derived from SECRET_KEY when empty.
DATAPROTECTION_PSEUDONYM_KEY = env_str("DATAPROTECTION_PSEUDONYM_KEY", "")

if not (DEBUG or TESTING):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Web security (docs/security.md) ---------------------------------------------------------------------------------
# Reverse proxies whose X-Forwarded-For is believed (CIDRs or addresses, e.g. 127.0.0.1,10.0.0.0/8); empty: none.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        __import__("ipaddress").ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR") from None
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"  # django-axes sees the same address as the audit trail
# Vaccination-certificate QR codes stop verifying after this many days (a new PDF gives a new code).
VACCINATION_CERTIFICATE_DAYS = env_int("VACCINATION_CERTIFICATE_DAYS", 365)
# The field app (docs/field-app.md): a phone wipes its data after this many days without a sync, and asks for the
# PIN after this many minutes without use; worklist pages hold at most FIELD_PAGE_SIZE records.
FIELD_WIPE_AFTER_DAYS = env_int("FIELD_WIPE_AFTER_DAYS", 3)
FIELD_LOCK_AFTER_MINUTES = env_int("FIELD_LOCK_AFTER_MINUTES", 10)
FIELD_PAGE_SIZE = env_int("FIELD_PAGE_SIZE", 500)
# Uploaded and generated files: served only through views that check sign-in, role and jurisdiction. Behind nginx,
# set to the internal location that maps to MEDIA_ROOT (e.g. /protected-media/) to let nginx send the bytes.
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "")
# Content-Security-Policy (Django 5.2 has no built-in CSP; core.middleware.ContentSecurityPolicyMiddleware sends it):
# scripts only from our own static files, never inline.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)

# Logs go to stderr (journald or the container runtime collects them): JSON lines in production (LOG_FORMAT=json,
# the default when DEBUG is off), text in development; each record carries its request id (core.logs).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logs.json_formatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # Celery's logs go through LOGGING too (JSON, request ids)

# Scheduled jobs (core.jobs): how often the heartbeat job runs (crontab minute field), how late a run may be before
# /healthz/ reports it missed, and how long run records are kept.
PHONGDICH_HEARTBEAT_MINUTES = env_str("PHONGDICH_HEARTBEAT_MINUTES", "*/5")
PHONGDICH_JOB_GRACE_MINUTES = env_int("PHONGDICH_JOB_GRACE_MINUTES", 15)
PHONGDICH_JOB_RUNS_KEEP_DAYS = env_int("PHONGDICH_JOB_RUNS_KEEP_DAYS", 90)
# Celery beat's own bookkeeping (when each entry last ran) lives with the installation's data, not in the code folder.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Optional error tracking (Sentry or a compatible server such as GlitchTip); no personal data is sent (core.logs).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN and not TESTING:
    from core.logs import init_sentry

    init_sentry(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))
