from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False  # tests that exercise lockout turn it on explicitly
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
DEBUG = False
# Throttles stay configured, with rates no test run reaches; the throttle tests set their own rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min", "login": "100000/min"},
}
# Parallel test workers share one Redis database: each worker keeps its own keys (a test that clears the
# parameter or permission cache must not make another worker's query count jump).
if "redis" in CACHES["default"]["BACKEND"].lower():  # noqa: F405
    import os

    CACHES["default"]["KEY_PREFIX"] = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
