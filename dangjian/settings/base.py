"""Settings read from the environment.

With nothing set, the app runs on a SQLite file with Celery eager, so a new user needs only Python.
Production sets DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and uses
``dangjian.settings.production``.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "apps.core.admin_site.RootAdminConfig",  # django.contrib.admin, root superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "django_celery_beat",
    "apps.core",
    "apps.accounts",
    "apps.organizations",
    "apps.members",
    "apps.responsibility",
    "apps.supervision",
    "apps.notifications",
    "apps.funding",
    "apps.service_requests",
    "apps.assessment",
    "apps.dashboards",
    "dangjian",  # the project package: seed_demo orchestration (top layer, see docs/architecture.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "apps.core.middleware.IdleSessionTimeoutMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "apps.accounts.middleware.ForcePasswordChangeMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

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
                "apps.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a handful of concurrent users: WAL (readers never block the writer),
    # writes take the lock at BEGIN (no "database is locked" on upgrade), and a busy timeout.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        }
    )
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql") and not env.bool("PG_JIT", False):
    # PostgreSQL's JIT compiles any query whose estimate passes jit_above_cost; for the set-based passes over
    # millions of rows it spent longer compiling than running (EXPLAIN of the dashboards' member pass at
    # 3M members: 17.8 s of JIT generation/optimisation/emission in a 25 s query). Off per connection;
    # PG_JIT=1 turns it back on.
    _opts = DATABASES["default"].setdefault("OPTIONS", {})
    _opts["options"] = f"{_opts.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORM_RENDERER = "apps.core.forms.FormRenderer"  # 请选择… instead of ---------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.accounts.backends.OrganizationModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Idle timeout (apps.core.middleware.IdleSessionTimeoutMiddleware) and an absolute lifetime.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_HOURS", default=12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# API tokens expire (and die on logout and password change).
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=7 * 24)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock out by username *and* IP: offices share one NAT address, so IP alone would lock a whole office.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "zh-hans"
# intcomma groups by thousands with a comma (Django's zh_Hans has no separator); USE_THOUSAND_SEPARATOR stays off
FORMAT_MODULE_PATH = ["dangjian.formats"]
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Stored files are never served by URL: no /media/ route exists; scoped views stream them (apps/core/files.py).
MEDIA_URL = "/files-are-served-by-scoped-views-only/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "apps.core.files.RandomNameStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with no broker configured, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None) or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dangjian@localhost")
# SMS: a class implementing apps.notifications.sms.SmsSender. The default only logs (and so refuses to send
# initial passwords); FileSmsSender writes to SMS_FILE_PATH for development; HttpSmsSender is the gateway.
SMS_BACKEND = env.str("SMS_BACKEND", default="apps.notifications.sms.LoggingSmsSender")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / ".sms-outbox.txt"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY_ID = env.str("SMS_GATEWAY_KEY_ID", default="")
SMS_GATEWAY_SECRET = env.str("SMS_GATEWAY_SECRET", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    # Token first: an unauthenticated request gets 401 with WWW-Authenticate (not 403); sessions still work.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.BoundedJSONParser",
        "apps.core.parsers.CheckedFormParser",
        "apps.core.parsers.CheckedMultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.ScopedModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="1200/min"),
        "login": env.str("API_THROTTLE_LOGIN", default="10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "党建工作管理平台 API",
    "DESCRIPTION": "dangjian REST API v1. 所有数据按当前用户所属党组织及其下级范围返回。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error responses with one error body (apps/core/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api_schema.document_errors",
    ],
    # Name every choice enum after its class, so "status"/"kind" fields of different models never collide.
    "ENUM_NAME_OVERRIDES": {
        "".join(p for p in path.split(".") if p[:1].isupper()) + "Enum": path
        for path in [
            "apps.organizations.choices.OrgKind",
            "apps.organizations.choices.Sector",
            "apps.organizations.choices.Grade",
            "apps.organizations.choices.ConsolidationStatus",
            "apps.accounts.models.Role",
            "apps.members.choices.Gender",
            "apps.members.choices.Category",
            "apps.members.choices.MemberStatus",
            "apps.members.choices.PartyPost",
            "apps.members.choices.MobileState",
            "apps.members.choices.LostContactReason",
            "apps.members.choices.OccupationCategory",
            "apps.members.choices.RecruitmentStage",
            "apps.members.choices.TransferKind",
            "apps.members.choices.TransferStatus",
            "apps.members.roster_import.models.MemberImportJob.Status",
            "apps.members.dues_models.DuesCategory",
            "apps.members.contact_models.VoteKind",
            "apps.members.dues_models.PaymentMethod",
            "apps.members.dues_models.ReductionKind",
            "apps.members.appraisal_models.AppraisalLevel",
            "apps.members.appraisal_models.AppraisalStatus",
            "apps.members.contact_models.ReviewKind",
            "apps.members.contact_models.ReviewDecision",
            "apps.members.choices.Discipline",
            "apps.responsibility.choices.ItemType",
            "apps.responsibility.choices.ProblemSource",
            "apps.responsibility.choices.Severity",
            "apps.responsibility.choices.TaskStatus",
            "apps.responsibility.choices.DutyPost",
            "apps.responsibility.choices.DeadlineClass",
            "apps.responsibility.choices.RectificationStatus",
            "apps.responsibility.choices.LedgerStatus",
            "apps.responsibility.choices.MeetingKind",
            "apps.responsibility.choices.RequirementPeriod",
            "apps.supervision.choices.LetterKind",
            "apps.funding.choices.FundingSource",
            "apps.funding.choices.StandardBasis",
            "apps.funding.choices.ExpenseCategory",
            "apps.funding.choices.ExpenseStatus",
            "apps.supervision.choices.LetterStatus",
            "apps.supervision.choices.AccountabilityKind",
            "apps.supervision.choices.AccountabilityStatus",
            "apps.supervision.choices.InspectionStatus",
            "apps.supervision.choices.RecordStatus",
            "apps.notifications.models.NoticeCategory",
            "apps.notifications.models.Channel",
            "apps.notifications.models.DeliveryStatus",
        ]
    },
}

# service_requests: names that would collide with notifications.Channel and supervision.RecordStatus
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        f"{name}Enum": f"apps.service_requests.choices.{path}"
        for name, path in [
            ("ServiceChannel", "Channel"),
            ("ServiceRequestStatus", "RequestStatus"),
            ("Satisfaction", "Satisfaction"),
            ("ServiceStepAction", "StepAction"),
            ("WishStatus", "WishStatus"),
            ("ClaimantKind", "ClaimantKind"),
            ("RegistrationStatus", "RegistrationStatus"),
            ("ServiceRecordStatus", "RecordStatus"),
        ]
    }
)

# supervision: inspection and observation findings share one severity scale (一般/较重/严重), not the problem list's
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["SupervisionSeverityEnum"] = "apps.supervision.choices.Severity"
# core: the work calendar's day kind (放假 / 调休上班), not a model's "kind"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["WorkCalendarKindEnum"] = "apps.core.calendar_settings.KIND_CHOICES"

IMPORT_EXPORT_USE_TRANSACTIONS = True

# Personal-data encryption (used by the members app). Keys: "id:base64key,id:base64key"; the first one encrypts.
PII_ENCRYPTION_KEYS = env.str("PII_ENCRYPTION_KEYS", default="dev:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=")
PII_HMAC_KEY = env.str("PII_HMAC_KEY", default="dev-only-hmac-key-do-not-use-in-prod")

# Request bodies: non-file fields at most 2.5 MB (every text field also has a max length), JSON at most 2 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
JSON_BODY_MAX_BYTES = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Static files come through WhiteNoise in every mode (the demo runs with DEBUG off).
WHITENOISE_USE_FINDERS = True

# Strict CSP (apps.core.middleware): every asset is local; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# No ID-number-shaped string reaches a log line (request lines included).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_id_numbers": {"()": "apps.core.logging.MaskIdNumbersFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_id_numbers"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
