"""Accord settings: everything that differs between machines comes from the environment.

DATABASE_URL   default: a SQLite file under ACCORD_HOME (the embedded default, nothing to install)
REDIS_URL      optional: shared cache (login throttling, sessions) for several web processes
EMAIL_URL      smtp://user:password@host:port (?tls=1 / ?ssl=1), console:, or file:/path;
               default: one file per message under ACCORD_HOME/mail
SECRET_KEY     default: generated on first run and kept in ACCORD_HOME/secret_key
ACCORD_HOME    data directory, default ./var
ACCORD_DEBUG   "1" for Django's debug pages
ALLOWED_HOSTS  comma separated, default localhost names
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
ACCORD_HOME = Path(os.environ.get("ACCORD_HOME", Path.cwd() / "var")).resolve()
ACCORD_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = ACCORD_HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("ACCORD_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
ACCORD_BASE_URL = os.environ.get("ACCORD_BASE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "auditlog",
    "accord.partners",
    "accord.automation",
    "accord.commerce",
    "accord.sales",
    "accord.portal",
    "accord.console",
    "accord.api",
    "ninja",  # its templates and vendored Swagger UI, so /api/v1/docs loads nothing from a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accord.partners.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accord.partners.context_processors.accord",
            ],
            "builtins": ["accord.partners.templatetags.accord_builtins"],
        },
    },
]


def _database(url: str, *, prepared_statements: bool) -> dict:
    """The database DATABASE_URL names, kept open between requests and checked before reuse.

    On PostgreSQL, values travel apart from the SQL, so a statement run five times on a connection is
    prepared and the server stops parsing and planning it: ~40% less database CPU per page (bench/web.py).
    ACCORD_DB_PREPARED_STATEMENTS=0 turns that off behind a pooler that cannot keep prepared statements
    (PgBouncer in transaction mode before 1.21).
    """
    database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if database["ENGINE"] == "django.db.backends.postgresql" and prepared_statements:
        database["OPTIONS"] = {**database.get("OPTIONS", {}), "server_side_binding": True, "prepare_threshold": 5}
    return database


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": _database(DATABASE_URL, prepared_statements=os.environ.get(
        "ACCORD_DB_PREPARED_STATEMENTS", "1") == "1")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ACCORD_HOME / "accord.sqlite3",
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write transactions.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "accord.partners.sessions"
# {% cache %} fragments that are pure functions of their key (language, page): the navigation. Kept in
# each process's memory: nothing to invalidate, and no round trip to Redis on every page.
TEMPLATE_FRAGMENTS_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments",
                            "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 2000}}
CACHES["template_fragments"] = TEMPLATE_FRAGMENTS_CACHE

# ACCORD_TASKS_BACKEND=redis moves background tasks to Redis (REDIS_URL) for scale-out; default: the database.
TASKS = {"default": {"BACKEND": "accord.automation.redis_backend.RedisBackend"
                     if os.environ.get("ACCORD_TASKS_BACKEND") == "redis" else "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accord.partners.backends.AccordBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one user name from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("pl", "Polski"), ("id", "Bahasa Indonesia")]
LANGUAGE_COOKIE_NAME = "accord_language"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = ACCORD_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # filled by `collectstatic` in production; finders serve it in the demo
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = ACCORD_HOME / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


def _mailer(url: str) -> dict:
    if not url:
        return {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(ACCORD_HOME / "mail")}}
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": parsed.path}}
    options = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parsed.hostname or "localhost",
            "port": parsed.port or (465 if parsed.scheme == "smtps" else 25),
            "username": unquote(parsed.username or ""),
            "password": unquote(parsed.password or ""),
            "use_tls": options.get("tls") == "1",
            "use_ssl": parsed.scheme == "smtps" or options.get("ssl") == "1",
            "timeout": 10,
        },
    }


MAILERS = {"default": _mailer(os.environ.get("EMAIL_URL", ""))}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Accord <accord@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = os.environ.get("ACCORD_SECURE_COOKIES") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ACCORD_LOG_LEVEL", "WARNING")},
}

PRODUCT_NAME = _("Accord")
