"""Project settings: one module, every deployment difference read from the environment."""

import json
from pathlib import Path
from typing import Any

from csp.constants import NONE, SELF, UNSAFE_INLINE

from config.environment import (
    database_settings,
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_str,
)
from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


DEBUG = env_bool("DEBUG", False)
# The fallback key only exists so that `make run` and the test suite work without set-up;
# `check --deploy` rejects it (security.W009 knows the django-insecure- prefix) and
# deploy/.env.example says to set a real one.
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "accounts",
    "campaigns",
    "scoring",
]

MIDDLEWARE = [
    "config.middleware.RequestIDMiddleware",
    "config.errors.JsonApiErrors",  # 404 and 405 under /api/ answer JSON
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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
            ],
        },
    },
]


DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'crowdeval.sqlite3'}"
DATABASES = {"default": database_settings(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# The default (PBKDF2) stays first: it hashes every password a person chooses. The last one is
# only ever named explicitly, for generated 128-bit secrets (see docs/security.md).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "accounts.credentials.GeneratedSecretHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# django-allauth: username logins, open sign-up off (accounts.adapters decides).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_GET = False
# A contest crowd often shares one public address (a classroom, a company NAT): per-address limits
# are generous, and the tight limit is per username ("key"), which is what protects an account.
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login": env_rate("RATE_LIMIT_LOGIN", "600/m/ip"),
    "login_failed": env_rate("RATE_LIMIT_LOGIN_FAILED", "120/m/ip,10/5m/key"),
    "signup": env_rate("RATE_LIMIT_SIGNUP", "60/m/ip"),
    "login_link": env_rate("RATE_LIMIT_LOGIN_LINK", "600/m/ip"),
    # Claims of pool accounts ("Join"): enough for a classroom behind one NAT, not for a script
    # draining the pool.
    # RATE_LIMIT_CLAIM is the setting's old name, still read so that a deployment that set it
    # keeps its choice.
    "claim_account": env_rate("JOIN_RATE_LIMIT", env_str("RATE_LIMIT_CLAIM", "30/10m/ip")),
}
if not env_bool("RATE_LIMITS", True):
    ACCOUNT_RATE_LIMITS = False
# Number of reverse proxies (nginx, a load balancer) in front of gunicorn that append to
# X-Forwarded-For; rate limits use the address that the outermost trusted proxy saw.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Days a one-click login link stays valid after it is made (0: until revoked).
LOGIN_LINK_DAYS = env_int("LOGIN_LINK_DAYS", 60)
# Days an API bearer token stays valid after it is made (0: until revoked).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crowdeval@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Redis, when configured, is the Celery broker and the shared cache. Without it (the embedded
# default of `make run`), jobs run in-process and the cache is per-process memory.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is away: the cache fails open (config/cache.py).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"  # a host named: kombu warns without one
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
# A job whose worker process dies (killed, out of memory) goes back to the queue instead of being
# acknowledged as failed; jobs are idempotent (scoring runs in one transaction), and the time
# limits below stop one that would loop.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A scoring run's peak memory grows with its campaign; a fresh pool process every N jobs returns
# it (and whatever fragmentation a long-lived numpy process accumulates) to the system.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
# The visibility timeout must exceed the longest job, or Redis hands a running job to a second
# worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One queue by default, so that `make run`, the test suite's worker and a lone `celery worker`
# consume every job. CELERY_SEPARATE_QUEUES=true sends scoring runs to a "scoring" queue, so that a
# long run never delays the lease sweep; each queue then needs a worker (docs/deploy.md).
CELERY_TASK_DEFAULT_QUEUE = "celery"
if env_bool("CELERY_SEPARATE_QUEUES", False):
    CELERY_TASK_ROUTES = {"scoring.*": {"queue": "scoring"}}
CELERY_BEAT_SCHEDULE = {
    # Leases also expire on demand when an annotator asks for work; the sweep catches the rest.
    "expire-leases": {"task": "campaigns.expire_leases", "schedule": 60.0},
    # Rounds and campaigns past their closes_at close, and their final scoring runs are queued.
    "close-due-campaigns": {"task": "campaigns.close_due_campaigns", "schedule": 60.0},
    # The progress pages show, counted once for every process (campaigns.progress.COUNT_SECONDS:
    # pages count for themselves when the stored count is three intervals old).
    "count-campaign-progress": {"task": "campaigns.store_campaign_progress", "schedule": 30.0},
    "score-active-campaigns": {
        "task": "scoring.score_active_campaigns",
        "schedule": float(env_int("SCORING_INTERVAL_SECONDS", 120)),
    },
}
# Overrides of scoring.metrics.flags.Thresholds (docs/quality-control.md), e.g.
# SCORING_THRESHOLDS={"fast_max_share": 0.6}; unknown names stop the scoring job with an error.
SCORING_THRESHOLDS = json.loads(env_str("SCORING_THRESHOLDS") or "{}")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads larger than this go to a temporary file, so a 100,000-record upload is streamed from
# disk rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A request body (not counting uploaded files) larger than this is refused: 413 with a JSON
# error on /api/, Django's 400 elsewhere.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("REQUEST_BODY_MAX_BYTES", 10 * 1024 * 1024)
# The largest prompt or response text an import accepts (UTF-8 bytes): each is sent to
# `overlap` annotators in full, in one page.
RECORD_TEXT_MAX_BYTES = env_int("RECORD_TEXT_MAX_BYTES", 200_000)
# POST /api/v1/campaigns/<slug>/records: the most records in one batch (more: 413), and the
# batches one ingest token may send (an allauth rate-limit string; "off" lifts it).
INGEST_BATCH_MAX = env_int("INGEST_BATCH_MAX", 500)
INGEST_RATE_LIMIT = env_str("INGEST_RATE_LIMIT", "1200/m/key")
if INGEST_RATE_LIMIT.strip().lower() in {"off", ""}:
    INGEST_RATE_LIMIT = ""
else:
    INGEST_RATE_LIMIT = env_rate("INGEST_RATE_LIMIT", "1200/m/key")

# Production is DEBUG off and an https SITE_URL; the rest follows from that.
SITE_IS_HTTPS = not DEBUG and SITE_URL.startswith("https://")
# Database sessions that INSERT a new session once instead of SELECT + INSERT + UPDATE.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SITE_IS_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# nginx (deploy/nginx.conf) terminates TLS and sets X-Forwarded-Proto; trust it only when a proxy
# is declared, or a client could claim https itself.
if ALLAUTH_TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SITE_IS_HTTPS)
# Health checks come from inside the network, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SITE_IS_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # Preloading puts the whole registered domain on browsers' HSTS lists for months; that is
    # the domain owner's decision, so it is opt-in (SECURE_HSTS_PRELOAD) and its warning silenced.
    "security.W021",
]
if SITE_IS_HTTPS and not SECURE_SSL_REDIRECT:
    # Set to false on purpose: the proxy redirects plain HTTP itself (docs/deploy.md).
    SILENCED_SYSTEM_CHECKS.append("security.W008")
# django-csp 4. Templates carry inline <style> but never inline scripts or on*= handlers
# (tests/deploy/test_security_headers.py checks the templates); charts are inline <svg>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
OPEN_SIGNUP = env_bool("OPEN_SIGNUP", False)
