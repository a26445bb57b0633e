"""Settings of congvan, read only from ``CONGVAN_*`` environment variables.

Every variable is documented in docs/configuration.md. Secrets may also be given as a path in
``<NAME>_FILE``. The defaults run the embedded shape (SQLite, local files) with no setup.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Return ``CONGVAN_<name>``, or the content of the file named by ``CONGVAN_<name>_FILE``."""
    key = f"CONGVAN_{name}"
    path = os.environ.get(f"{key}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(key, default)


def env_int(name: str, default: int) -> int:
    raw = env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"CONGVAN_{name} must be a whole number, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"CONGVAN_{name} must be true or false, got {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated setting ("admin,leader"); an empty value is an empty list."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def database_from_url(url: str, data_dir: Path) -> dict[str, object]:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into a DATABASES entry."""
    if not url:
        url = f"sqlite:///{data_dir / 'congvan.sqlite3'}"
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parsed.path) or str(data_dir / "congvan.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": str(data_dir / "test.sqlite3")},
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "congvan",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise ValueError(f"CONGVAN_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
BLOB_DIR = Path(env("BLOB_DIR", str(DATA_DIR / "blobs"))).resolve()


def _secret_key() -> str:
    configured = env("SECRET_KEY")
    if configured:
        return configured
    # Embedded default: a key made once and kept beside the data, never in the repository.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _audit_key() -> bytes:
    """The key of the audit chain's MACs: CONGVAN_AUDIT_KEY(_FILE), kept outside the database (for
    protection from someone who can write the data directory, on another volume or in the service's
    environment); the embedded default makes one beside the data."""
    configured = env("AUDIT_KEY")
    if configured:
        return configured.encode()
    path = DATA_DIR / "audit_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode()


AUDIT_KEY = _audit_key()
# Signed checkpoints of the chain, outside the database: a rewrite or truncation below one is detected.
AUDIT_CHECKPOINT_FILE = env("AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit" / "checkpoints.log"))
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
# Reverse proxies whose X-Forwarded-For names the client (sign-in throttling counts per client address).
TRUSTED_PROXIES = {a.strip() for a in env("TRUSTED_PROXIES", "").split(",") if a.strip()}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "congvan.lib",
    "congvan.orgs",
    "congvan.audit",
    "congvan.security",
    "congvan.documents",
    "congvan.signatures",
    "congvan.capture",
    "congvan.registers",
    "congvan.dispatch",
    "congvan.workflow",
    "congvan.search",
    "congvan.exchange",
    "congvan.mail",
    "congvan.reports",
    "congvan.ops",
    "congvan.api",
    "congvan.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "congvan.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "congvan.web.middleware.VietnameseFirstMiddleware",
    "congvan.web.middleware.StrictEncodingMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "congvan.web.middleware.SessionGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "congvan.web.middleware.ActingMembershipMiddleware",
]

ROOT_URLCONF = "congvan.urls"
WSGI_APPLICATION = "congvan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "congvan.web.context.acting",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env("DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "web:login"

PASSWORD_HASHERS = [
    "congvan.orgs.hashers.Argon2Hasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (orgs/throttle.py): failures allowed per account from one address, per address, and
# per account from all addresses, before a wait that doubles each time (up to LOGIN_MAX_WAIT).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 50)
LOGIN_WAIT_SECONDS = env_int("LOGIN_WAIT_SECONDS", 60)
LOGIN_MAX_WAIT_SECONDS = env_int("LOGIN_MAX_WAIT_SECONDS", 3600)
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 12)
# Two-factor sign-in (security app): the roles that must use it (a system administrator counts as admin),
# the name authenticator apps show, accounts idle this many days are deactivated by the scheduler.
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", "admin,leader")
OTP_ISSUER = env("OTP_ISSUER", "congvan")
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
IDLE_ACCOUNT_DAYS = env_int("IDLE_ACCOUNT_DAYS", 45)
# Security alerts (security.rules): working time (local; days 0=Monday), bursts, and roles whose grant alerts.
WORKING_DAYS = {int(d) for d in env_list("WORKING_DAYS", "0,1,2,3,4")}
WORKING_HOURS = (env_int("WORKING_HOUR_START", 6), env_int("WORKING_HOUR_END", 20))
ALERT_FAILED_SIGNIN_MINUTES = env_int("ALERT_FAILED_SIGNIN_MINUTES", 15)
ALERT_FAILED_SIGNINS_PER_ACCOUNT = env_int("ALERT_FAILED_SIGNINS_PER_ACCOUNT", 10)
ALERT_FAILED_SIGNINS_PER_ADDRESS = env_int("ALERT_FAILED_SIGNINS_PER_ADDRESS", 20)
ALERT_DOWNLOADS_PER_MINUTE = env_int("ALERT_DOWNLOADS_PER_MINUTE", 60)
ALERT_DOWNLOADS_PER_HOUR = env_int("ALERT_DOWNLOADS_PER_HOUR", 300)
ALERT_GRANTED_ROLES = env_list("ALERT_GRANTED_ROLES", "admin,auditor,leader")
# Daily backups by the scheduler (ops app) into this folder when set, the last seven kept; encrypted with
# the secret in BACKUP_KEY_FILE when set.
BACKUP_DIR = env("BACKUP_DIR", "")
BACKUP_KEY_FILE = env("BACKUP_KEY_FILE", "")

SESSION_COOKIE_AGE = env_int("SESSION_MINUTES", 480) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Served over HTTPS (directly or behind a TLS reverse proxy): Secure cookies, HSTS, and the proxy's
# X-Forwarded-Proto trusted to say the request was HTTPS (set the proxy to overwrite that header).
HTTPS = env_bool("HTTPS", False)
SECURE_COOKIES = env_bool("SECURE_COOKIES", HTTPS)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if HTTPS:
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "congvan" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 100) * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["congvan.documents.uploads.BlobUploadHandler"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# Digital signatures: trusted roots and intermediates are files in a folder (never in code).
TRUST_DIR = env("TRUST_DIR", str(DATA_DIR / "trust"))
SIGNATURE_ONLINE = env_bool("SIGNATURE_ONLINE", True)  # fetch OCSP/CRL when reachable
SIGNATURE_HARD_FAIL = env_bool("SIGNATURE_HARD_FAIL", False)  # unreachable revocation data: refuse, or warn
SIGNING_KEYS = env("SIGNING_KEYS")  # JSON file: which key signs for which person and unit (no PINs in it)
TSA_URL = env("TSA_URL")  # time-stamping authority (RFC 3161) for PAdES B-T
# Where the signing agent listens on a signer's PC (congvan-signer); the page calls it from the browser.
SIGNER_AGENT_URL = env("SIGNER_AGENT_URL", "http://127.0.0.1:8765")

# Digitisation: limits on what intake processes.
INTAKE_MAX_PAGES = env_int("INTAKE_MAX_PAGES", 300)
INTAKE_MAX_PIXELS = env_int("INTAKE_MAX_PIXELS", 120_000_000)
# DOCX/ODT become PDF through LibreOffice: "auto" (soffice on the PATH, when installed), a path to it,
# or "off" (their text is then read from the file itself, without a PDF).
LIBREOFFICE = env("LIBREOFFICE", "auto")
LIBREOFFICE_TIMEOUT = env_int("LIBREOFFICE_TIMEOUT", 120)

# Official e-mail (notifications out). Off until a host is configured.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_STARTTLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", "congvan@localhost")
EMAIL_ENABLED = bool(EMAIL_HOST)
# The key that encrypts the units' mailbox passwords (mail/secrets.py); blank: DATA_DIR/mail_key.
MAIL_KEY = env("MAIL_KEY")
MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 60)  # seconds for one IMAP or SMTP exchange
MAIL_CA_FILE = env("MAIL_CA_FILE")  # a private CA for the mail servers' TLS; blank: the system's
MAIL_FETCH_LIMIT = env_int("MAIL_FETCH_LIMIT", 2000)  # mails read from one folder per fetch
# A mail bigger than this (as the server gives its size) is not downloaded: its headers are read and it is
# refused, left in the mailbox. Default: twice the upload limit (a document of that size, base64-encoded).
MAIL_MAX_BYTES = env_int("MAIL_MAX_MB", 2 * MAX_UPLOAD_BYTES // (1024 * 1024)) * 1024 * 1024
# DKIM signature of the documents mailed out (dkimpy): a private key (PEM), its selector and domain
DKIM_KEY_FILE = env("DKIM_KEY_FILE")
DKIM_SELECTOR = env("DKIM_SELECTOR", "congvan")
DKIM_DOMAIN = env("DKIM_DOMAIN")
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 60)  # first retry of a document mailed out; doubles
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)
PUBLIC_URL = env("PUBLIC_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 1)
SCHEDULER_MINUTES = env_int("SCHEDULER_MINUTES", 10)
FONT_DIR = env("FONT_DIR", "/usr/share/fonts/truetype/noto")

# Exchange between servers (edXML). A server takes part once it has a node code; its key and
# certificate (PEM) sign every message it sends; ``congvan node init`` makes a pair.
NODE_CODE = env("NODE_CODE")
NODE_URL = env("NODE_URL", PUBLIC_URL)
NODE_KEY = env("NODE_KEY", str(DATA_DIR / "node" / "key.pem"))
NODE_CERT = env("NODE_CERT", str(DATA_DIR / "node" / "cert.pem"))
EXCHANGE_RETRY_SECONDS = env_int("EXCHANGE_RETRY_SECONDS", 10)  # first retry; doubles up to an hour
EXCHANGE_GIVE_UP_DAYS = env_int("EXCHANGE_GIVE_UP_DAYS", 7)
EXCHANGE_TIMEOUT = env_int("EXCHANGE_TIMEOUT", 300)  # seconds for one send
EXCHANGE_CONCURRENCY = env_int("EXCHANGE_CONCURRENCY", 4)  # messages on the wire at once
EXCHANGE_MAX_BYTES = env_int("EXCHANGE_MAX_MB", 150) * 1024 * 1024  # a whole message, files included
# edXML status codes read differently from the defaults (exchange/statuscodes.py): "13=request_agreed"
EDXML_STATUS_CODES = env_list("EDXML_STATUS_CODES", "")
# Status files without a signature (``edxml import``) applied: for a hub whose transport is trusted
EDXML_TRUST_UNSIGNED_STATUS = env_bool("EDXML_TRUST_UNSIGNED_STATUS", False)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
