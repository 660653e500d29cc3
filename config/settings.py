"""Hearth settings: everything that differs between machines comes from the environment."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hearth.lib.settings_helpers import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "insecure-development-key-set-SECRET_KEY-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
# Old keys after a rotation: sessions and printed verification codes keep working.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
if not DEBUG and SECRET_KEY == _DEV_SECRET and env_bool("HEARTH_PRODUCTION", False):
    raise ImproperlyConfigured("Set SECRET_KEY when HEARTH_PRODUCTION is true.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "hearth.people",
    "hearth.communities",
    "hearth.api",
    "hearth.meetings",
    "hearth.serendipity",
    "hearth.pulse",
    "hearth.recognition",
    "hearth.reports",
    "hearth.mentor_development",
    "hearth.matching",
    "hearth.studies",
    "hearth.stewardship",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hearth" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'hearth.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.Person"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded profile photos; served only through a view that asks the permission rule.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STATICFILES_DIRS = [BASE_DIR / "hearth" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hearth <hearth@localhost>")

# Transcription: "tiny.en" (default), "base", or the path of a site's own CTranslate2 model
# folder; assembled model files are cached in HEARTH_MODEL_CACHE.
TRANSCRIPTION_MODEL = env_str("TRANSCRIPTION_MODEL", "tiny.en")
MODEL_CACHE = Path(env_str("HEARTH_MODEL_CACHE", str(BASE_DIR / "var" / "models")))

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The address people use to reach Hearth, for links in emails and calendar files.
HEARTH_BASE_URL = env_str("HEARTH_BASE_URL", "http://127.0.0.1:8000")

# Roster files larger than this are refused before parsing.
HEARTH_MAX_IMPORT_BYTES = env_int("HEARTH_MAX_IMPORT_BYTES", 5 * 1024 * 1024)

# Where `manage.py backup` writes when given no file name.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))


def _retention_days(name: str) -> int:
    # Empty or 0 keeps forever; a negative number is a mistake, not "delete everything".
    days = env_int(name, 0) if env_str(name, "").strip() else 0
    if days < 0:
        raise ImproperlyConfigured(f"{name} must be 0 (keep forever) or a number of days.")
    return days


# Days after which `manage.py apply_retention` deletes private meeting notes (since last
# edited) and study recordings' audio (since upload; the transcript stays). 0 keeps forever.
RETENTION_PRIVATE_NOTES_DAYS = _retention_days("RETENTION_PRIVATE_NOTES_DAYS")
RETENTION_RECORDINGS_DAYS = _retention_days("RETENTION_RECORDINGS_DAYS")
