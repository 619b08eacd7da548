"""Configuration: every setting is read from the environment here and nowhere else.

Embedded mode (the default) needs nothing: SQLite and files under ``instance/``, an in-memory
rate-limit store and a single process. Setting ``DATABASE_URL`` and ``REDIS_URL`` switches to
scaled mode (PostgreSQL through psycopg 3, Redis for rate limits, cache and Socket.IO).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("NETWORK_INSTANCE_DIR", BASE_DIR / "instance"))
# What `make run` serves unless given HOST and PORT; development replaces it with the address each
# request arrived at (network/address.py), so only links made outside a request use it.
DEVELOPMENT_ADDRESS = "http://127.0.0.1:5000"


class InsecureConfigurationError(RuntimeError):
    """Raised when production settings would be unsafe to run with."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _mode(name: str, default: int) -> int:
    """A file mode written in octal, e.g. ``0640``."""
    value = os.environ.get(name)
    return int(value, 8) if value not in (None, "") else default


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _oidc_providers(raw: str, name: str = "OIDC_PROVIDERS") -> list[dict]:
    """OpenID Connect providers for single sign-on, from a JSON list (network/accounts/sso.py).

    Each: ``key`` (in URLs, a-z 0-9 -), ``issuer``, ``client_id``, ``client_secret``, ``name``
    (shown as "Logga in med <name>"), ``domains`` (email domains allowed to use it; empty: any)
    and ``create_accounts`` (unknown people of those domains may ask for an account).
    """
    import json
    import re

    raw = raw.strip()
    if not raw:
        return []
    try:
        items = json.loads(raw)
    except ValueError as exc:
        raise InsecureConfigurationError(f"{name} is not valid JSON: {exc}") from None
    providers, keys = [], set()
    for item in items if isinstance(items, list) else [None]:
        if not isinstance(item, dict) or not all(item.get(k) for k in ("key", "issuer", "client_id")):
            raise InsecureConfigurationError(f"{name}: each provider needs key, issuer and client_id")
        key = str(item["key"])
        if not re.fullmatch(r"[a-z0-9-]{1,40}", key) or key in keys:
            raise InsecureConfigurationError(f"{name}: key {key!r} must be unique, a-z 0-9 -")
        keys.add(key)
        providers.append({
            "key": key, "issuer": str(item["issuer"]), "client_id": str(item["client_id"]),
            "client_secret": str(item.get("client_secret", "")), "name": str(item.get("name") or key),
            "domains": [str(d).strip().lower().lstrip("@") for d in item.get("domains", [])
                        if str(d).strip()],
            "create_accounts": bool(item.get("create_accounts", False)),
        })
    return providers


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL so PostgreSQL always goes through psycopg 3."""
    if not raw:
        return f"sqlite:///{INSTANCE_DIR / 'network.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _instance_secret_key() -> str:
    """A per-installation secret generated on first run and kept in instance/ (never committed)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    ENV_NAME = "development"
    default_log_format = "text"
    DEBUG = False
    TESTING = False
    DEMO_MODE = False

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self.default_secret_key()
        self.DATABASE_URL_SET = bool(os.environ.get("DATABASE_URL"))
        self.SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
        # A server connection can drop between requests; a SQLite file cannot (and the ping
        # would cost a query on every request).
        self.SQLALCHEMY_ENGINE_OPTIONS = (
            {} if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite") else {"pool_pre_ping": True}
        )
        # SQLite reads its file through a memory map of up to this many bytes (0: plain reads):
        # full-text search touches thousands of pages per query, and mapped pages skip a copy
        # per read. Address space, not memory: the OS page cache holds the data either way.
        self.SQLITE_MMAP_SIZE = _int("SQLITE_MMAP_SIZE", 1 << 30)
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        # Without Redis: the memory storage that starts no thread per hit (network/extensions.py).
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "network-memory://"
        # network/cache.py: the data generation that keeps cached pages and conditional GETs
        # right. Without Redis it lives in this file, shared by the processes of one machine.
        self.CACHE_GENERATION_FILE = os.environ.get(
            "CACHE_GENERATION_FILE", str(INSTANCE_DIR / "cache-generation"))
        self.CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "network-cache")
        # network/jobs.py: the Redis queue `flask worker` reads (installations sharing one Redis
        # give each its own name). Without REDIS_URL jobs run in the web process.
        self.JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "network-jobs")
        # RQ's own key prefix (its job, worker and suspension keys): RQ reads the variable itself
        # when a process first imports it, so it is named here for the doctor and deploy-config.
        self.RQ_KEY_PREFIX = os.environ.get("RQ_KEY_PREFIX", "rq")
        # Run embedded jobs right after the commit instead of after the response is sent.
        self.JOBS_INLINE = _bool("JOBS_INLINE")
        self.CACHE_MAX_ENTRIES = _int("CACHE_MAX_ENTRIES", 2048)
        self.PAGE_CACHE_MAX_ENTRIES = _int("PAGE_CACHE_MAX_ENTRIES", 2048)
        self.PAGE_CACHE = _bool("PAGE_CACHE", True)
        self.RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "network")
        self.RATELIMIT_HEADERS_ENABLED = True
        # Redis away (restarting): count limits in this process meanwhile instead of answering
        # every request with an error (Flask-Limiter's fallback; tests/deploy/test_faults.py).
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.STORAGE_DIR = Path(os.environ.get("STORAGE_DIR", INSTANCE_DIR / "storage"))
        # Stored files and their folders get this group and these modes, so that a web server
        # running as another user (nginx's www-data, in that group) can send them.
        self.STORAGE_GROUP = os.environ.get("STORAGE_GROUP") or None
        self.STORAGE_FILE_MODE = _mode("STORAGE_FILE_MODE", 0o640)
        self.STORAGE_DIR_MODE = _mode("STORAGE_DIR_MODE", 0o750)
        self.MAX_UPLOAD_BYTES = _int("MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
        # The request limit leaves room for the form fields around a file of the maximum size.
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_BYTES + 1024 * 1024
        explicit_base_url = os.environ.get("PUBLIC_BASE_URL", "").strip().rstrip("/")
        self.PUBLIC_BASE_URL = explicit_base_url or DEVELOPMENT_ADDRESS
        # Development without PUBLIC_BASE_URL follows the address actually served (`make run
        # HOST=… PORT=…`): links from the request's address, websockets from the same origin.
        # Production refuses to start without it (validate).
        self.PUBLIC_BASE_URL_FROM_REQUEST = not explicit_base_url and self.ENV_NAME == "development"
        self.public_base_url_given = bool(explicit_base_url)  # lower case: not copied to app.config
        self.NETWORK_NAME = os.environ.get("NETWORK_NAME", "Nätverket för brottsförebyggande arbete")
        self.MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "console")  # console | smtp
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "natverket@example.se")
        # Shown on the accessibility and privacy pages for questions and reports.
        self.CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", self.MAIL_FROM)
        self.SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
        self.SMTP_PORT = _int("SMTP_PORT", 25)
        self.SMTP_USER = os.environ.get("SMTP_USER") or None
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
        self.SMTP_STARTTLS = _bool("SMTP_STARTTLS")
        self.SMTP_TIMEOUT = _int("SMTP_TIMEOUT", 10)
        # How mail to MAIL_FROM reaches `flask mail-inbound`: "" (not read), "pipe" or "imap".
        self.MAIL_INBOUND = os.environ.get("MAIL_INBOUND", "")
        self.MAIL_IMAP_HOST = os.environ.get("MAIL_IMAP_HOST", "")
        self.MAIL_IMAP_PORT = _int("MAIL_IMAP_PORT", 993)
        self.MAIL_IMAP_USER = os.environ.get("MAIL_IMAP_USER") or None
        self.MAIL_IMAP_PASSWORD = os.environ.get("MAIL_IMAP_PASSWORD") or None
        self.MAIL_IMAP_FOLDER = os.environ.get("MAIL_IMAP_FOLDER", "INBOX")
        self.MAIL_IMAP_SECURITY = os.environ.get("MAIL_IMAP_SECURITY", "ssl")  # ssl | starttls | none
        # Mail to these domains is logged and dropped, never sent: a trial installation's demo
        # people (seed-demo --trial) have addresses nobody reads.
        self.MAIL_DISCARD_DOMAINS = [d.lower().lstrip("@") for d in _list("MAIL_DISCARD_DOMAINS")]
        origins = [o.strip().rstrip("/") for o in os.environ.get("SOCKETIO_ALLOWED_ORIGINS", "").split(",")
                   if o.strip()]
        # None: Engine.IO accepts only the origin the request was addressed to (same origin).
        self.SOCKETIO_ALLOWED_ORIGINS = origins or (
            None if self.PUBLIC_BASE_URL_FROM_REQUEST else [self.PUBLIC_BASE_URL])
        # Socket.IO's Redis channel and the chat's Redis key prefix: separate installations (or
        # parallel test runs) sharing one Redis keep apart by giving each its own names.
        self.SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "flask-socketio")
        self.CHAT_REDIS_PREFIX = os.environ.get("CHAT_REDIS_PREFIX", "network-chat")
        # Socket.IO's async mode; empty chooses by itself (gevent inside a gevent worker).
        self.SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or None
        # Chat messages one person may send per window, and how often presence lists go out.
        self.CHAT_RATE_LIMIT = _int("CHAT_RATE_LIMIT", 5)
        self.CHAT_RATE_WINDOW = _int("CHAT_RATE_WINDOW", 5)
        self.CHAT_PRESENCE_INTERVAL = _float("CHAT_PRESENCE_INTERVAL", 1.0)
        # Calendar feeds: requests per token and minute, and how long a built feed is served.
        self.EVENTS_FEED_RATE_LIMIT = os.environ.get("EVENTS_FEED_RATE_LIMIT", "60/minute")
        self.EVENTS_FEED_FRESH_SECONDS = _int("EVENTS_FEED_FRESH_SECONDS", 30)
        # Seconds the text extraction of one uploaded file may take before it is given up.
        self.RESOURCE_EXTRACT_TIMEOUT = _int("RESOURCE_EXTRACT_TIMEOUT", 20)
        # /metrics for a scraper not on this machine (Authorization: Bearer <token>); loopback
        # clients need none.
        self.METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
        self.X_ACCEL_REDIRECT_PREFIX = os.environ.get("X_ACCEL_REDIRECT_PREFIX") or None
        # How many reverse proxies (nginx) sit in front and set X-Forwarded-*: without it every
        # visitor shares the proxy's address, and the per-IP login limit with it.
        self.PROXY_COUNT = _int("PROXY_COUNT", 0)
        # ``flask deploy-config``: what the generated nginx site, systemd units and environment
        # template name. The app's own settings (ports aside) come from the ones above.
        self.DEPLOY_ENV_FILE = os.environ.get("DEPLOY_ENV_FILE", "/etc/network/env")
        self.DEPLOY_APP_DIR = os.environ.get("DEPLOY_APP_DIR", str(BASE_DIR))
        self.DEPLOY_USER = os.environ.get("DEPLOY_USER", "network")
        self.DEPLOY_PAGE_PORTS = [int(p) for p in _list("DEPLOY_PAGE_PORTS", "8001,8002")]
        self.DEPLOY_CHAT_PORTS = [int(p) for p in _list("DEPLOY_CHAT_PORTS", "8101,8102")]
        self.DEPLOY_LISTEN = os.environ.get("DEPLOY_LISTEN", "443")
        self.DEPLOY_TLS_CERT = os.environ.get(
            "DEPLOY_TLS_CERT", "/etc/letsencrypt/live/natverket.example.se/fullchain.pem")
        self.DEPLOY_TLS_KEY = os.environ.get(
            "DEPLOY_TLS_KEY", "/etc/letsencrypt/live/natverket.example.se/privkey.pem")
        # ``json`` (production's default): one JSON object per log line, with the request's id.
        self.LOG_FORMAT = os.environ.get("LOG_FORMAT", self.default_log_format)
        self.BABEL_DEFAULT_LOCALE = "sv"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
        self.LANGUAGES = ("sv", "en")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock
        self.LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
        # The public "ask for an account" form, per client address.
        # Most rows one bulk-invitation file may have (network/accounts/bulk_invitations.py).
        self.BULK_INVITE_MAX_ROWS = _int("BULK_INVITE_MAX_ROWS", 2000)
        # Questions in Q&A categories without a marked answer after this many days are listed
        # for programme staff (/forum/expertfragor).
        self.EXPERT_UNANSWERED_DAYS = _int("EXPERT_UNANSWERED_DAYS", 7)
        self.ACCOUNT_REQUEST_LIMIT = os.environ.get("ACCOUNT_REQUEST_LIMIT", "5 per hour")
        self.LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes")
        # The JSON API (network/api): requests per token (or per address for visitors), the
        # longest life of a personal access token, and the publisher named in the DCAT catalogue.
        self.API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")
        self.API_TOKEN_MAX_DAYS = _int("API_TOKEN_MAX_DAYS", 365)
        self.DCAT_PUBLISHER = os.environ.get("DCAT_PUBLISHER", self.NETWORK_NAME)
        # Webhooks: seconds an endpoint gets to answer; plain http:// endpoints only when allowed.
        self.WEBHOOK_TIMEOUT = _int("WEBHOOK_TIMEOUT", 5)
        self.WEBHOOK_ALLOW_HTTP = _bool("WEBHOOK_ALLOW_HTTP", False)
        self.INVITATION_DAYS = 7
        # Server-side sessions (network/accounts/sessions.py): one unused this many days ends;
        # "last seen" is written at most once per SESSION_TOUCH_MINUTES per session.
        self.SESSION_IDLE_DAYS = _int("SESSION_IDLE_DAYS", 30)
        self.SESSION_TOUCH_MINUTES = _int("SESSION_TOUCH_MINUTES", 5)
        # Where sessions are kept: "database" or "redis"; unset: Redis when REDIS_URL is set
        # (every process sees a logout at once without a database write per login).
        self.SESSION_STORE = os.environ.get("SESSION_STORE") or None
        self.SESSION_REDIS_PREFIX = os.environ.get("SESSION_REDIS_PREFIX", "network-session")
        self.PASSWORD_RESET_HOURS = 2
        # Single sign-on (network/accounts/sso.py): the providers, and seconds each call to one
        # (discovery, keys, token) may take.
        self.OIDC_PROVIDERS = _oidc_providers(os.environ.get("OIDC_PROVIDERS", ""))
        self.OIDC_HTTP_TIMEOUT = _int("OIDC_HTTP_TIMEOUT", 10)

    def default_secret_key(self) -> str:
        return _instance_secret_key()

    def validate(self) -> None:
        """Development accepts the defaults; production overrides this to refuse unsafe ones."""


class DevelopmentConfig(Config):
    DEMO_MODE = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    default_log_format = "json"

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PREFERRED_URL_SCHEME = "https"

    def default_secret_key(self) -> str:
        return ""

    def validate(self) -> None:
        problems = []
        if len(self.SECRET_KEY) < 32:
            problems.append("SECRET_KEY must be set to at least 32 random characters")
        if not self.DATABASE_URL_SET:
            problems.append("DATABASE_URL must be set: production never uses the development "
                            "SQLite file (was the environment file loaded?)")
        if self.DEBUG or _bool("FLASK_DEBUG"):
            problems.append("debug mode must be off")
        if not self.public_base_url_given:
            problems.append("PUBLIC_BASE_URL must be set to the public address (https://…): "
                            "links in emails, feeds and invitations are built from it")
        if problems:
            raise InsecureConfigurationError("; ".join(problems))


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        self.RATELIMIT_STORAGE_URI = "network-memory://"
        self.CACHE_GENERATION_FILE = None  # each test app counts its own generation
        self.MAIL_TRANSPORT = "memory"
        # A test sees a job's effect as soon as the request's commit returns.
        self.JOBS_INLINE = True
        # Thousands of accounts are made per run; see network/accounts/passwords.py.
        self.PASSWORD_HASH_PROFILE = "fast"  # noqa: S105 - a cost profile name, not a password
        # Every presence change at once, so a test sees it right after the join or leave;
        # tests/chat/test_sockets.py checks the bunching with an interval of its own.
        self.CHAT_PRESENCE_INTERVAL = 0.0

    def default_secret_key(self) -> str:
        return "testing-secret-key-not-for-production-use-0123456789"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def load_config(name: str | None = None, *, validate: bool = True) -> Config:
    name = name or os.environ.get("NETWORK_ENV", "development")
    try:
        config = CONFIGS[name]()
    except KeyError:
        raise InsecureConfigurationError(f"unknown NETWORK_ENV {name!r}") from None
    if validate:  # only ``flask doctor`` skips it, to report every problem with its fix
        config.validate()
    return config
