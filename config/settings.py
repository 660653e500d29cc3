"""Hearth settings: everything that differs between machines comes from the environment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF checking, the first to read a form: refuses an oversized body as it arrives.
    "hearth.lib.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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

# Widgets render through the templates above, so hearth/templates/django/forms/ can write
# out the options that Django's own widget templates include one render at a time.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'hearth.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out email before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Argon2 for new and changed passwords; older PBKDF2 hashes still work and are upgraded on sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
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
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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

# Background work: the database backend needs no other server; "redis" (pip install
# 'hearth[redis]') hands the queue to RQ for large deployments. Short aliases or dotted paths.
_TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
}
_tasks_backend = env_str("TASKS_BACKEND", "database")
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS.get(_tasks_backend, _tasks_backend)}}
if TASKS["default"]["BACKEND"] == _TASKS_BACKENDS["redis"]:
    # Only then, so a default install needs neither redis nor django-rq. Every Hearth task
    # uses the "default" queue.
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}}

# HEARTH_PRODUCTION makes the secure choice the default; each variable can still override it.
HEARTH_PRODUCTION = env_bool("HEARTH_PRODUCTION", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HEARTH_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Behind a TLS-terminating proxy Django sees plain HTTP: BEHIND_TLS_PROXY makes it trust the
# proxy's X-Forwarded-Proto (which the proxy must overwrite), else this redirect would loop.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HEARTH_PRODUCTION)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HEARTH_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Both reach beyond Hearth's own host name (the institution's other sites, browsers' built-in
# lists), so they are a site's decision and the deploy check's reminders are not warnings here.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Recordings are uploaded as files: no page needs the camera, microphone or location.
PERMISSIONS_POLICY: dict[str, list[str]] = {"camera": [], "microphone": [], "geolocation": []}


def _origins(*names: str) -> list[str]:
    # scheme://host[:port] of each URL-valued variable that is set.
    origins = []
    for name in names:
        parts = urlsplit(env_str(name, ""))
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


# Content Security Policy (django-csp): scripts, styles, images and media only from Hearth
# itself; no inline or eval'd script. style-src-attr allows style="" attributes, not <style>
# elements: code colours, codebook indents and chart sizes are data, and an attribute cannot
# run script. Chromium applies form-action to the redirect after a form post, so the SSO
# sign-in buttons need the identity providers' origins.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [
            SELF,
            *_origins("SSO_OIDC_ISSUER", "SSO_SAML_IDP_SSO_URL", "SSO_SAML_IDP_METADATA_URL"),
            *env_list("CSP_FORM_ACTION", []),
        ],
        "frame-ancestors": [NONE],
    }
}
# CSP_REPORT_ONLY=true: browsers report violations in the console but block nothing.
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Sign-in throttling (django-axes). Failures are counted per email *and* address together, so
# someone guessing a colleague's password locks out only their own attempts, never the colleague
# signing in from elsewhere. Wrong two-step codes count too.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_ENABLED = True
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "hearth.people.two_step.attempted_email"
# The client address: X-Forwarded-For only behind our own proxy (BEHIND_TLS_PROXY).
AXES_CLIENT_IP_CALLABLE = "hearth.people.two_step.client_ip"
AXES_LOCKOUT_CALLABLE = "hearth.people.two_step.lockout_response"
# Hearth shows no sign-in history, so it keeps none; failed attempts expire with the lockout.
AXES_DISABLE_ACCESS_LOG = True

# Two-step sign-in (django-otp): the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "Hearth"
# Site admins may remove someone's device (they lost their phone) but never read its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

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

# Single sign-on through django-allauth. With nothing set, Hearth signs in by password only.
# Accounts are linked by email; roles are only ever granted in Hearth.
SSO_OIDC_NAME = env_str("SSO_OIDC_NAME", "")
SSO_OIDC_ISSUER = env_str("SSO_OIDC_ISSUER", "")
SSO_OIDC_CLIENT_ID = env_str("SSO_OIDC_CLIENT_ID", "")
SSO_OIDC_CLIENT_SECRET = env_str("SSO_OIDC_CLIENT_SECRET", "")
SSO_SAML_NAME = env_str("SSO_SAML_NAME", "")
SSO_SAML_IDP_ENTITY_ID = env_str("SSO_SAML_IDP_ENTITY_ID", "")
SSO_SAML_IDP_METADATA_URL = env_str("SSO_SAML_IDP_METADATA_URL", "")
SSO_SAML_IDP_SSO_URL = env_str("SSO_SAML_IDP_SSO_URL", "")
SSO_SAML_IDP_X509_CERT = env_str("SSO_SAML_IDP_X509_CERT", "")
SSO_SAML_SP_ENTITY_ID = env_str("SSO_SAML_SP_ENTITY_ID", "")
# Someone the IdP vouches for but Hearth does not know gets a new account with no roles.
SSO_CREATE_ACCOUNTS = env_bool("SSO_CREATE_ACCOUNTS", False)
# One institution per protocol; the id is part of the callback / ACS URLs given to the IdP.
SSO_PROVIDER_ID = "institution"

_sso_providers: dict[str, dict[str, object]] = {}
if SSO_OIDC_ISSUER:
    if not (SSO_OIDC_NAME and SSO_OIDC_CLIENT_ID and SSO_OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "SSO_OIDC_ISSUER needs SSO_OIDC_NAME, SSO_OIDC_CLIENT_ID and SSO_OIDC_CLIENT_SECRET."
        )
    _sso_providers["openid_connect"] = {
        "APPS": [
            {
                "provider_id": SSO_PROVIDER_ID,
                "name": SSO_OIDC_NAME,
                "client_id": SSO_OIDC_CLIENT_ID,
                "secret": SSO_OIDC_CLIENT_SECRET,
                "settings": {"server_url": SSO_OIDC_ISSUER},
            }
        ]
    }
if SSO_SAML_IDP_ENTITY_ID:
    _by_metadata = bool(SSO_SAML_IDP_METADATA_URL)
    _by_hand = bool(SSO_SAML_IDP_SSO_URL and SSO_SAML_IDP_X509_CERT)
    if not SSO_SAML_NAME or _by_metadata == _by_hand:
        raise ImproperlyConfigured(
            "SSO_SAML_IDP_ENTITY_ID needs SSO_SAML_NAME and either SSO_SAML_IDP_METADATA_URL "
            "or both SSO_SAML_IDP_SSO_URL and SSO_SAML_IDP_X509_CERT."
        )
    _idp: dict[str, str] = {"entity_id": SSO_SAML_IDP_ENTITY_ID}
    if _by_metadata:
        _idp["metadata_url"] = SSO_SAML_IDP_METADATA_URL
    else:
        _idp |= {"sso_url": SSO_SAML_IDP_SSO_URL, "x509cert": SSO_SAML_IDP_X509_CERT}
    _sso_providers["saml"] = {
        "APPS": [
            {
                "provider_id": SSO_PROVIDER_ID,
                "client_id": SSO_PROVIDER_ID,
                "name": SSO_SAML_NAME,
                "settings": {
                    "idp": _idp,
                    "sp": {"entity_id": SSO_SAML_SP_ENTITY_ID} if SSO_SAML_SP_ENTITY_ID else {},
                    # eduPerson / InCommon names first, then the common vendor ones.
                    "attribute_mapping": {
                        "uid": [
                            "urn:oasis:names:tc:SAML:attribute:subject-id",
                            "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",  # eduPersonPrincipalName
                        ],
                        "email": [
                            "urn:oid:0.9.2342.19200300.100.1.3",  # mail
                            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                        ],
                        "name": ["urn:oid:2.16.840.1.113730.3.1.241"],  # displayName
                        "first_name": ["urn:oid:2.5.4.42"],
                        "last_name": ["urn:oid:2.5.4.4"],
                    },
                    "advanced": {"want_assertion_signed": True, "reject_idp_initiated_sso": True},
                },
            }
        ]
    }
SOCIALACCOUNT_PROVIDERS = _sso_providers
SOCIALACCOUNT_ADAPTER = "hearth.people.sso.HearthSocialAccountAdapter"
ACCOUNT_ADAPTER = "hearth.people.sso.HearthAccountAdapter"
# allauth only signs people in through an IdP; passwords stay with Hearth's own pages.
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
