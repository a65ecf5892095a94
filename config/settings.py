"""Settings for Læringsnett, read from environment variables.

With no environment at all the app runs embedded: SQLite file, Celery tasks run eagerly,
e-mail printed to the console. Production sets LAERINGSNETT_ENV=production, DATABASE_URL,
REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and the EMAIL_* variables (docs/operations.md, docs/development.md).
"""

import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Reference data (embeter.csv, kommuner.csv) shipped with the project; point elsewhere for a newer classification.
REFERENCE_DATA_DIR = Path(
    environ.Env().str("LAERINGSNETT_REFERENCE_DATA", default=str(BASE_DIR / "organisations" / "data"))
)

env = environ.Env(
    DEBUG=(bool, False),
    LAERINGSNETT_REQUIRE_MFA=(bool, True),
)

# "embedded" (default): one machine, SQLite unless DATABASE_URL says otherwise, plain HTTP on
# loopback. "production": HTTPS only, SECRET_KEY required, hashed static file names.
LAERINGSNETT_ENV = env.str("LAERINGSNETT_ENV", default="embedded")
if LAERINGSNETT_ENV not in ("embedded", "production"):
    raise environ.ImproperlyConfigured("LAERINGSNETT_ENV må være «embedded» eller «production».")
PRODUCTION = LAERINGSNETT_ENV == "production"
TESTING = "pytest" in sys.modules
DEBUG = env("DEBUG")
DATA_DIR = Path(env.str("LAERINGSNETT_DATA_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION and not DEBUG:
        raise environ.ImproperlyConfigured("SECRET_KEY må settes i produksjon (LAERINGSNETT_ENV=production).")
    # Embedded mode: a random key made on first start and kept beside the SQLite file.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

if PRODUCTION and not env.list("ALLOWED_HOSTS", default=[]):
    raise environ.ImproperlyConfigured("ALLOWED_HOSTS må settes i produksjon (f.eks. laeringsnett.example.no).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
if not PRODUCTION:
    # `make run HOST=0.0.0.0` serves other machines too: allow the host runserver was asked to listen on (for
    # 0.0.0.0 or ::, this machine's names and addresses; never '*', see config/hosts.py). Production: ALLOWED_HOSTS.
    from config.hosts import run_hosts

    ALLOWED_HOSTS += [h for h in run_hosts(env.str("LAERINGSNETT_RUN_HOST", default="")) if h not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "import_export",
    "audit",
    "organisations",
    "accounts",
    "networks",
    "projects",
    "grants",
    "followup",
    "reporting",
    "api",
    "privacy",
    "demo",
    "ui",
    "common",
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
FORMS_URLFIELD_ASSUME_HTTPS = True

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy, see CONTENT_SECURITY_POLICY below
    "ui.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ui.middleware.NorwegianByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UserLanguageMiddleware",  # the language remembered on the user
    "accounts.middleware.ActiveRoleMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
]
if env.bool("LAERINGSNETT_QUERY_COUNT_HEADER", default=False):  # benchmarks only (bench/run.py)
    MIDDLEWARE.insert(0, "ui.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
            ],
            "builtins": ["ui.templatetags.ui"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The planner's cost of a random page read. PostgreSQL's default (4) is for spinning disks; with the data in
    # memory or on SSD, 1.1 lets it choose index lookups where they are cheaper (e.g. the prioritisation board: a
    # hash join over every assessment, 31 ms, becomes index lookups, 2 ms). Set per connection so it holds however
    # the server is configured; PG_RANDOM_PAGE_COST="" leaves the server's value. See docs/benchmarks.md.
    if page_cost := env.str("PG_RANDOM_PAGE_COST", default="1.1"):
        try:
            page_cost = float(page_cost)
        except ValueError:
            raise environ.ImproperlyConfigured(
                f"PG_RANDOM_PAGE_COST må være et tall, for eksempel 1.1 (eller tom), ikke «{page_cost}»."
            ) from None
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c random_page_cost={page_cost}".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache and Celery ------------------------------------------------------------------------
# Redis holds only what may be lost: the cache (rate-limit counters, progress of background jobs) and the Celery
# queue. Work that must not be lost is written to the outbox table in the same transaction as the change and handed
# to Celery after commit (common/outbox.py). Sessions are in the database. See docs/security.md ("Feil").
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Redis down: each cache call fails within the timeouts, is logged (logger common.cache) and answers as an
    # empty cache; after a failure Redis is left alone for CIRCUIT_BREAKER_SECONDS (common/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "common.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
                "CIRCUIT_BREAKER_SECONDS": 5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "common.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Oslo"
# Publishing fails fast when Redis is down or hangs, so a web request never waits long for it: the outbox keeps the
# task and the dispatcher sends it later. Without socket timeouts a publish to a hung Redis waits forever.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,  # reconnects when a publish finds no connection (the worker's own retries are separate)
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
# The outbox (common/outbox.py): grace before the dispatcher takes a row its publisher may still be sending, when a
# message the broker took but no worker finished counts as lost, how often that may happen before the row is given
# up, and how long finished rows are kept.
OUTBOX_GRACE_SECONDS = env.int("OUTBOX_GRACE_SECONDS", default=30)
OUTBOX_REDELIVER_SECONDS = env.int("OUTBOX_REDELIVER_SECONDS", default=15 * 60)
OUTBOX_MAX_SENDS = 10
OUTBOX_KEEP_DAYS = 30
CELERY_BEAT_SCHEDULE: dict = {
    # Reminders about report deadlines (followup/tasks.py), every morning at 07:00 Oslo time.
    "projects.send_report_reminders": {"task": "projects.send_report_reminders", "schedule": crontab(hour=7, minute=0)},
    # Tasks the outbox could not hand to Redis (it was down), or whose message was lost (common/outbox.py).
    "common.dispatch_outbox": {"task": "common.dispatch_outbox", "schedule": 60.0, "options": {"expires": 55}},
}

# `GET /healthz?deep=1` with the header `X-Healthz-Token: <HEALTHZ_TOKEN>` also sends a ping task through Redis to a
# worker and waits for the answer (HEALTHZ_CELERY_TIMEOUT seconds at most); bin/smoke uses it after a deployment.
# Unset: the deep check is off and /healthz only checks the database. See reporting/views.py healthz.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
HEALTHZ_CELERY_TIMEOUT = env.float("HEALTHZ_CELERY_TIMEOUT", default=10.0)

# --- Authentication (django-allauth) ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Our subclass: Django 5.2's Norwegian catalogue lacks the current "too short" message.
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_FORMS = {"add_email": "accounts.forms.AddEmailForm"}  # another account's address is refused
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Confirming who you are before a sensitive change (e-mail, MFA): password or authenticator app. Not a code sent by
# e-mail (allauth offers it since 65.22): staff must prove a second factor, and an inbox is not one.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Læringsnett] "
# Failed logins are limited per IP and per IP + account (accounts.adapters: the "key" of login_failed is address +
# account, so nobody can lock someone else out), with growing delays (accounts.login_throttle); the "key" part
# also limits second-factor codes per user. Password reset per IP and e-mail.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",  # a rate limit, not a password  # nosec B105
    "reset_password_from_key": "20/m/ip",  # a rate limit, not a password  # nosec B105
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Læringsnett"
MFA_RECOVERY_CODE_COUNT = 10
# Staff roles (Bufdir, statsforvalter) must have TOTP before they reach any data.
LAERINGSNETT_REQUIRE_MFA = env("LAERINGSNETT_REQUIRE_MFA")

# Optional OpenID Connect login (ID-porten / Ansattporten), off unless OIDC_CLIENT_ID is set.
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"APPS": []}}
if env.str("OIDC_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": env.str("OIDC_PROVIDER_ID", default="ansattporten"),
            "name": env.str("OIDC_PROVIDER_NAME", default="Ansattporten"),
            "client_id": env.str("OIDC_CLIENT_ID"),
            "secret": env.str("OIDC_CLIENT_SECRET", default=""),
            "settings": {
                "server_url": env.str("OIDC_SERVER_URL"),
                "token_auth_method": env.str("OIDC_TOKEN_AUTH_METHOD", default="client_secret_post"),
                "oauth_pkce_enabled": True,
                "scope": env.list("OIDC_SCOPES", default=["openid", "profile"]),
            },
        }
    )

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

# --- JSON API (/api/v1/, see docs/api.md) ----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "api": env.str("API_RATE", default="120/min"),
        "api_token_failed": env.str("API_FAILED_TOKEN_RATE", default="10/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",  # 429 fully in the caller's language
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Læringsnett API",
    "DESCRIPTION": "Lesetilgang til nasjonal oversikt og tildelinger. Se docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_embete_enum",
    ],
}

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Læringsnett <ikke-svar@laeringsnett.no>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Full address in e-mailed links; `make run` sets it to the address it serves (HOST, PORT).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "nb"
# nn: a string missing from the nynorsk catalogue falls back to LANGUAGE_CODE (nb) through Django's own fallback
# chain, never to English.
LANGUAGES = [("nb", _("Norsk bokmål")), ("nn", _("Norsk nynorsk")), ("en", _("English"))]
# locale/: our own messages (msgids bokmål). locale_allauth/: nynorsk for django-allauth's (English) msgids, which
# allauth ships no nn catalogue for. Django merges the catalogues of every LOCALE_PATHS entry (the first wins).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
# Years must read 2026, not "2 026"; money is formatted with the |nok filter.
USE_THOUSAND_SEPARATOR = False

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("designsystemet", BASE_DIR / "node_modules" / "@digdir" / "designsystemet-css" / "dist" / "src"),
    ("designsystemet-theme", BASE_DIR / "node_modules" / "@digdir" / "designsystemet-theme" / "brand"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Embedded mode serves straight from the source folders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploaded files live outside the web root and are only served through permission-checked views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "uploads")))
MEDIA_URL = "/ingen-offentlige-filer/"  # never routed: uploads are served only by permission-checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Zip-based files (DOCX, ODT, XLSX) are checked from the zip's directory before anything is unpacked
# (common/uploads.py, docs/security.md «Pakkede filer»): parts, total unpacked size, compression ratio per part.
UPLOAD_ZIP_MAX_ENTRIES = env.int("UPLOAD_ZIP_MAX_ENTRIES", default=1000)
UPLOAD_ZIP_MAX_UNCOMPRESSED = env.int("UPLOAD_ZIP_MAX_UNCOMPRESSED", default=100 * 1024 * 1024)
UPLOAD_ZIP_MAX_RATIO = env.int("UPLOAD_ZIP_MAX_RATIO", default=100)
# Spreadsheet imports (common/spreadsheets.py): read as a stream and stopped as soon as a limit is passed.
IMPORT_ZIP_MAX_UNCOMPRESSED = env.int("IMPORT_ZIP_MAX_UNCOMPRESSED", default=50 * 1024 * 1024)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=50)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=250_000)  # 20 000 rows of 12 columns
IMPORT_MAX_SECONDS = env.int("IMPORT_MAX_SECONDS", default=30)  # reading and checking, in the web process
SERVICE_IMPORT_MAX_ROWS = env.int("SERVICE_IMPORT_MAX_ROWS", default=2_000)  # 242 services in the country
ALLOCATION_IMPORT_MAX_ROWS = env.int("ALLOCATION_IMPORT_MAX_ROWS", default=20_000)  # a few thousand a year
ALLOCATION_IMPORT_SOFT_TIME_LIMIT = env.int("ALLOCATION_IMPORT_SOFT_TIME_LIMIT", default=10 * 60)  # Celery task
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- Security --------------------------------------------------------------------------------
# See docs/security.md. Cookies: never readable from JavaScript (no script reads the CSRF cookie; forms carry the
# token), not sent on cross-site subrequests or POSTs.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4). No inline script, no inline style, no eval: every script and style sheet
# is a static file. data: images are the favicon, the TOTP QR code and Designsystemet's icons. A login through
# OpenID Connect posts a form here that redirects to the provider, and browsers check form-action on that redirect
# too, so the provider's authorization endpoint origin is allowed (OIDC_FORM_ACTION_ORIGINS; defaults to the
# origin of OIDC_SERVER_URL; ID-porten/Ansattporten authorize on login.<domain>, so set it explicitly there).
_oidc_server = env.str("OIDC_SERVER_URL", default="") if env.str("OIDC_CLIENT_ID", default="") else ""
_oidc_origins = env.list(
    "OIDC_FORM_ACTION_ORIGINS",
    default=["/".join(_oidc_server.split("/")[:3])] if _oidc_server else [],  # scheme://host[:port]
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *_oidc_origins],
        "frame-ancestors": ["'none'"],
    },
}

# Client address for rate limits (allauth: login, password reset; DRF: API, failed API keys): the N-th address from
# the right in X-Forwarded-For, where N reverse proxies each append the address they saw (docs/deploy.md: one
# nginx, so production defaults to 1; otherwise every client would share the proxy's address and one attacker
# could lock everybody out). 0 = REMOTE_ADDR only (embedded mode, no proxy), so a forged header changes nothing.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
