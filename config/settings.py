"""lvzhi settings: one file, read from the environment.

Development defaults work with nothing set (SQLite next to the code, local-memory cache).
Production (LVZHI_ENV=production) refuses to start without a real SECRET_KEY and field key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


LVZHI_ENV = env("LVZHI_ENV", "development")
PRODUCTION = LVZHI_ENV == "production"

# Development keys are public on purpose: they protect nothing, and production refuses them.
DEV_SECRET_KEY = "lvzhi-development-secret-key-not-for-production-use-0123456789"
DEV_FIELD_KEY = "ZGV2ZWxvcG1lbnQtZmllbGQta2V5LW5vdC1zZWNyZXQ="

SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
# Base64 of 32 random bytes: `python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"`
LVZHI_FIELD_KEY = env("LVZHI_FIELD_KEY", DEV_FIELD_KEY)

if PRODUCTION:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("LVZHI_ENV=production needs SECRET_KEY (50+ random characters).")
    if LVZHI_FIELD_KEY == DEV_FIELD_KEY:
        raise ImproperlyConfigured("LVZHI_ENV=production needs LVZHI_FIELD_KEY (base64 of 32 random bytes).")

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = [
    h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",
    "lvzhi.core",
    "lvzhi.accounts",
    "lvzhi.organization",
    "lvzhi.members",
    "lvzhi.ledger",
    "lvzhi.activities",
    "lvzhi.notifications",
    "lvzhi.studies",
    "lvzhi.library",
    "lvzhi.opinions",
    "lvzhi.proposals",
    "lvzhi.portal",
    # Reads the ledger of every feature app: the duty assessment (rule sets, scores).
    "lvzhi.scoring",
    # The top layer: builds on every app above it here; no app imports it.
    "lvzhi.home",
    "lvzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lvzhi.core.middleware.ContentSecurityPolicyMiddleware",
    # Every audit row written while a request is served carries its client address and user agent.
    "lvzhi.core.audit.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lvzhi.core.middleware.LanguageMiddleware",
    # Per-address limit on all requests (LVZHI_SITE_RATE_LIMIT), answered in the user's language.
    "lvzhi.accounts.throttle.SiteRateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A body larger than the page takes is refused (413) before anything reads it.
    "lvzhi.core.middleware.RequestSizeLimitMiddleware",
    "lvzhi.accounts.middleware.SessionTimeoutMiddleware",
    "lvzhi.accounts.middleware.AccountPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

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
                "lvzhi.home.context_processors.menu",
            ],
        },
    },
]

# Database: SQLite by default (WAL, busy timeout), PostgreSQL when DATABASE_URL says so.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "var" / "lvzhi.sqlite3")),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work (roster imports…) goes through the Django Tasks API. The database backend needs the
# worker `manage.py db_worker` running beside the web server (`make run` starts both).
TASKS = {"default": {"BACKEND": env("LVZHI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["lvzhi.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "lvzhi.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "lvzhi.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "lvzhi.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
    {"NAME": "lvzhi.accounts.validators.UsernameRunValidator", "OPTIONS": {"run": 3}},
    {"NAME": "lvzhi.accounts.validators.AdministratorLengthValidator", "OPTIONS": {"min_length": 15}},
]
# Staff and administrator passwords expire (roles with accounts.password_expires).
PASSWORD_MAX_AGE = timedelta(days=90)

# Login policy (DESIGN §8): 5 failures in 15 minutes lock the username for 30 minutes.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
LOGIN_LOCKOUT_DURATION = timedelta(minutes=30)
# Per client address (django-ratelimit, counters in the default cache: Redis in production). An office
# behind one NAT address shares these, hence the environment switches.
LOGIN_RATE_LIMIT = env("LOGIN_RATE_LIMIT", "10/m")
SECOND_FACTOR_RATE_LIMIT = env("SECOND_FACTOR_RATE_LIMIT", "10/m")
LVZHI_SITE_RATE_LIMIT = env("LVZHI_SITE_RATE_LIMIT", "600/m")
# The public site: messages one address may post, and query-code lookups (so codes cannot be guessed).
LVZHI_PUBLIC_MESSAGE_RATE = env("LVZHI_PUBLIC_MESSAGE_RATE", "5/10m")
LVZHI_PUBLIC_LOOKUP_RATE = env("LVZHI_PUBLIC_LOOKUP_RATE", "20/10m")
# The longest public message or member's suggestion, in characters.
LVZHI_PUBLIC_TEXT_MAX = int(env("LVZHI_PUBLIC_TEXT_MAX", "2000"))
if not PRODUCTION:
    # Development runs one process on the local-memory cache, which django-ratelimit rightly calls
    # unshared; production must have REDIS_URL, and there the check stays on.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Sessions end after 30 minutes idle (15 for the administrators) and 12 hours in any case
# (enforced by SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
ADMIN_SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
# Form data other than files (Django's default): nothing lvzhi posts comes near it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MEMBER_PHOTO_MAX_BYTES = 2 * 1024 * 1024
ATTACHMENT_MAX_BYTES = int(env("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
ROSTER_MAX_BYTES = 10 * 1024 * 1024
# Request bodies are refused before the view when larger than the page's files can be
# (core.middleware.RequestSizeLimitMiddleware): these pages take smaller files than the rest.
LVZHI_MAX_UPLOAD_BYTES = max(ATTACHMENT_MAX_BYTES, ROSTER_MAX_BYTES)
LVZHI_UPLOAD_LIMITS = {
    "members:create": MEMBER_PHOTO_MAX_BYTES,
    "members:edit": MEMBER_PHOTO_MAX_BYTES,
    "members:import": ROSTER_MAX_BYTES,
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

X_FRAME_OPTIONS = "DENY"
# Scripts only from our own vendored files, never inline. Inline style attributes stay allowed (progress
# bars set their width): a style cannot run code.
LVZHI_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # django-ratelimit lists only third-party Redis clients as supported; Django's own Redis cache
        # is shared and increments atomically (INCRBY), which is all the limits need.
        SILENCED_SYSTEM_CHECKS.append("django_ratelimit.W001")

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); from any
# other address the header is ignored, since a client can write anything into it.
LVZHI_TRUSTED_PROXIES = [p.strip() for p in env("LVZHI_TRUSTED_PROXIES", "").split(",") if p.strip()]

# The audit chain's HMAC key: derived from LVZHI_FIELD_KEY unless a separate one is given (base64).
LVZHI_AUDIT_KEY = env("LVZHI_AUDIT_KEY", "")
# Anchors of the audit chain outside the database (core/audit_anchor.py): a file the backup takes, and
# the log. One anchor every N rows, and one at each verification.
LVZHI_AUDIT_ANCHOR_FILE = env("LVZHI_AUDIT_ANCHOR_FILE", str(BASE_DIR / "var" / "audit-anchors.jsonl"))
LVZHI_AUDIT_ANCHOR_EVERY = int(env("LVZHI_AUDIT_ANCHOR_EVERY", "100"))

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
LVZHI_SMS_GATEWAY = env("LVZHI_SMS_GATEWAY", "")
# Members' activation codes (accounts/onboarding.py): how long one is valid, and the address printed on
# the letters and texted (the members' way in; empty: the address of the page the office used).
LVZHI_ACTIVATION_CODE_DAYS = int(env("LVZHI_ACTIVATION_CODE_DAYS", "14"))
LVZHI_SITE_URL = env("LVZHI_SITE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # ID and mobile numbers are masked in every log line (search URLs, errors): each handler filters.
    "filters": {"redact_personal_data": {"()": "lvzhi.core.log_filters.RedactPersonalData"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"]},
        # runserver's request lines, as Django logs them, but filtered.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Replaces Django's default handlers of these loggers, which would print unfiltered.
        "django": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING"), "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # In production audit anchors are logged whatever LOG_LEVEL says: they are evidence, kept outside
        # the database (send them to syslog). In development they would only clutter the console.
        "lvzhi.audit.anchor": {"level": "INFO" if PRODUCTION else env("LOG_LEVEL", "WARNING")},
    },
}

# Demo accounts' password (seed_demo); documented in README. Meets the password policy.
LVZHI_DEMO_PASSWORD = env("LVZHI_DEMO_PASSWORD", "Lvzhi@2026")
