"""``flask doctor``: is this instance ready to serve in production? Each check says what it found
and, when something is wrong, how to fix it (in the installation's language or ``--lang``)."""

from __future__ import annotations

import grp
import os
import pwd
import smtplib
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import text

from network.i18n import gettext as _

OK, WARN, FAIL = "ok", "warn", "fail"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


@dataclass
class Result:
    name: str
    status: str
    detail: str
    fix: str = ""


def check_environment(app: Flask) -> list[Result]:
    name = _("Miljö")
    config = app.config
    env_file = config["DEPLOY_ENV_FILE"]
    load = f"set -a && . {env_file} && set +a"
    if config.get("ENV_NAME") != "production":
        return [Result(name, FAIL, _("NETWORK_ENV är %(env)s, inte production: miljöfilen lästes "
                                     "inte in.", env=config.get("ENV_NAME")),
                       _("Läs in den före varje flask-kommando: %(load)s", load=load))]
    results = [Result(name, OK, _("NETWORK_ENV=production"))]
    if len(config.get("SECRET_KEY") or "") < 32:
        results.append(Result(_("Hemlig nyckel"), FAIL,
                              _("SECRET_KEY saknas eller är kortare än 32 tecken."),
                              _("Skriv SECRET_KEY=<utdata från python3 -c 'import secrets; "
                                "print(secrets.token_urlsafe(48))'> i %(file)s.", file=env_file)))
    if not config.get("DATABASE_URL_SET"):
        results.append(Result(_("Databas"), FAIL,
                              _("DATABASE_URL är inte satt: utvecklingsdatabasen (SQLite i "
                                "instance/) skulle användas."),
                              _("Sätt DATABASE_URL=postgresql://network@localhost/network i "
                                "%(file)s.", file=env_file)))
    if app.debug:
        results.append(Result(_("Felsökningsläge"), FAIL, _("Felsökningsläget är på."),
                              _("Ta bort FLASK_DEBUG ur miljön.")))
    return results


def check_database(app: Flask) -> list[Result]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from network.extensions import db

    name = _("Databas")
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - any failure means unusable
        return [Result(name, FAIL, _("Inte nåbar: %(error)s", error=_short(exc)),
                       _("Kontrollera DATABASE_URL och att rollen och databasen finns "
                         "(README: createuser och createdb)."))]
    heads = set(ScriptDirectory(app.extensions["migrate"].directory).get_heads())
    if current != heads:
        return [Result(name, FAIL, _("Migrerad till %(current)s; den här versionen behöver %(heads)s.",
                                     current=", ".join(sorted(current)) or "-",
                                     heads=", ".join(sorted(heads))),
                       _("Kör: .venv/bin/flask --app network db upgrade"))]
    return [Result(name, OK, _("Nåbar, migrerad till %(heads)s.", heads=", ".join(sorted(heads))))]


def check_redis(app: Flask) -> list[Result]:
    import redis

    name, config = _("Redis"), app.config
    url = config.get("REDIS_URL")
    if not url:
        return [Result(name, WARN, _("REDIS_URL är inte satt: begränsningar, chatt och cache fungerar "
                                     "bara inom en process."),
                       _("Sätt REDIS_URL=redis://127.0.0.1:6379/0 när fler än en process körs."))]
    prefixes = [config.get(key) for key in ("CACHE_KEY_PREFIX", "RATELIMIT_KEY_PREFIX",
                                            "CHAT_REDIS_PREFIX", "SESSION_REDIS_PREFIX",
                                            "SOCKETIO_CHANNEL", "JOBS_QUEUE", "RQ_KEY_PREFIX")]
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return [Result(name, FAIL, _("%(url)s är inte nåbar: %(error)s", url=url,
                                     error=_short(exc)),
                       _("Kontrollera REDIS_URL (redis://värd:6379/0) och att Redis körs."))]
    finally:
        client.close()
    if not all(prefixes):
        return [Result(name, FAIL, _("Ett nyckelprefix är tomt."),
                       _("Sätt CACHE_KEY_PREFIX, RATELIMIT_KEY_PREFIX, CHAT_REDIS_PREFIX, "
                         "SESSION_REDIS_PREFIX, SOCKETIO_CHANNEL, JOBS_QUEUE och RQ_KEY_PREFIX "
                         "(eller behåll standardvärdena)."))]
    return [Result(name, OK, _("Nåbar; nycklar under %(prefixes)s.",
                               prefixes=", ".join(prefixes)))]


def _group_readable(path: Path, gid: int) -> bool:
    info = path.stat()
    need = stat.S_IRGRP | (stat.S_IXGRP if path.is_dir() else 0)
    return info.st_gid == gid and info.st_mode & need == need


def _traversable(path: Path, gid: int) -> Path | None:
    """The first folder above ``path`` that the group's members cannot pass through."""
    for folder in path.parents:
        info = folder.stat()
        if info.st_mode & stat.S_IXOTH:
            continue
        if info.st_gid == gid and info.st_mode & stat.S_IXGRP:
            continue
        return folder
    return None


def check_storage(app: Flask) -> list[Result]:
    from network.resources import storage

    name, config = _("Lagring"), app.config
    path = Path(config["STORAGE_DIR"])
    group = config.get("STORAGE_GROUP")
    user = pwd.getpwuid(os.geteuid()).pw_name
    create = f"install -d -o {user} -g {group or user} -m 2750 {path}"
    if not path.is_dir():
        return [Result(name, FAIL, _("%(path)s finns inte.", path=path),
                       _("Skapa den: %(command)s", command=create))]
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return [Result(name, FAIL, _("%(user)s kan inte skriva i %(path)s: %(error)s", user=user,
                                     path=path, error=_short(exc)),
                       _("Ge mappen till appens användare: chown %(user)s %(path)s",
                         user=user, path=path))]
    results = [Result(name, OK, _("%(user)s kan skriva i %(path)s.", path=path, user=user))]
    if not group:
        if config.get("X_ACCEL_REDIRECT_PREFIX"):
            results.append(Result(name, WARN, _("STORAGE_GROUP är inte satt: nginx kan bara "
                                                "skicka filerna om den körs som %(user)s.",
                                                user=user),
                                  _("Sätt STORAGE_GROUP=www-data (nginx grupp).")))
        return results
    try:
        gid = int(group) if str(group).isdigit() else grp.getgrnam(group).gr_gid
    except KeyError:
        return results + [Result(name, FAIL, _("Gruppen %(group)s finns inte.", group=group),
                                 _("Sätt STORAGE_GROUP till webbserverns grupp (www-data)."))]
    fix = _("Kör: chgrp -R %(group)s %(path)s && chmod -R g+rX,o-rwx %(path)s && "
            "chmod g+s %(path)s", group=group, path=path)
    unreadable = [p for p in [path, *_sample(storage, path)] if not _group_readable(p, gid)]
    if unreadable:
        return results + [Result(name, FAIL, _("Webbserverns grupp %(group)s kan inte läsa "
                                               "%(path)s.", group=group, path=unreadable[0]),
                                 fix)]
    blocked = _traversable(path, gid)
    if blocked is not None:
        return results + [Result(name, FAIL, _("Webbserverns grupp %(group)s når inte %(path)s "
                                               "genom %(folder)s.", group=group,
                                               path=path, folder=blocked),
                                 _("Kör: chmod o+x %(folder)s", folder=blocked))]
    if config["STORAGE_FILE_MODE"] & 0o040 == 0 or config["STORAGE_DIR_MODE"] & 0o050 != 0o050:
        return results + [Result(name, FAIL, _("Nya filer skulle inte vara läsbara för gruppen."),
                                 _("Sätt STORAGE_FILE_MODE=0640 och STORAGE_DIR_MODE=0750."))]
    return results + [Result(name, OK, _("Läsbar för webbserverns grupp %(group)s.",
                                         group=group))]


def _sample(storage, path: Path, limit: int = 50) -> list[Path]:
    found = []
    for folder in sorted(path.glob("??"))[:4]:
        found.append(folder)
        for file in sorted(folder.glob("??/*"))[: limit // 4]:
            if file.is_file() and storage.valid_key(file.name):
                found.extend([file.parent, file])
    return found


def check_mail(app: Flask) -> list[Result]:
    name, config = _("E-post"), app.config
    if config.get("MAIL_TRANSPORT") != "smtp":
        return [Result(name, FAIL, _("MAIL_TRANSPORT=%(kind)s: e-post skrivs bara till loggen.",
                                     kind=config.get("MAIL_TRANSPORT")),
                       _("Sätt MAIL_TRANSPORT=smtp med SMTP_HOST och SMTP_PORT."))]
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    try:
        with smtplib.SMTP(host, port, timeout=config.get("SMTP_TIMEOUT", 10)) as smtp:
            smtp.noop()
    except Exception as exc:  # noqa: BLE001
        return [Result(name, FAIL, _("SMTP-servern %(host)s:%(port)s svarar inte: %(error)s",
                                     host=host, port=port, error=_short(exc)),
                       _("Kontrollera SMTP_HOST och SMTP_PORT."))]
    return [Result(name, OK, _("SMTP-servern %(host)s:%(port)s svarar; e-post från %(sender)s.",
                               host=host, port=port, sender=config["MAIL_FROM"]))]


def check_origins(app: Flask) -> list[Result]:
    name, config = _("Offentlig adress"), app.config
    public = config["PUBLIC_BASE_URL"]
    parts = urlsplit(public)
    origin = f"{parts.scheme}://{parts.netloc}"
    allowed = config.get("SOCKETIO_ALLOWED_ORIGINS") or []
    if public == DEFAULT_PUBLIC_URL or parts.scheme != "https":
        return [Result(name, FAIL, _("PUBLIC_BASE_URL är %(url)s: länkar i e-post och flöden skulle peka "
                                     "dit.", url=public),
                       _("Sätt PUBLIC_BASE_URL till den https-adress som besökarna använder."))]
    if "*" in allowed or origin not in allowed:
        return [Result(name, FAIL, _("SOCKETIO_ALLOWED_ORIGINS (%(allowed)s) innehåller inte %(origin)s: "
                                     "chatten skulle vägra sina egna sidor.",
                                     allowed=", ".join(allowed) or "-", origin=origin),
                       _("Sätt SOCKETIO_ALLOWED_ORIGINS=%(origin)s (eller lämna den osatt).",
                         origin=origin))]
    return [Result(name, OK, _("%(url)s; websockets tillåtna från %(allowed)s.", url=public,
                               allowed=", ".join(allowed)))]


def check_cookies(app: Flask) -> list[Result]:
    name, config = _("Kakor"), app.config
    results = []
    if not (config.get("SESSION_COOKIE_SECURE") and config.get("REMEMBER_COOKIE_SECURE")):
        results.append(Result(name, FAIL, _("Inloggningskakor skulle även skickas över okrypterad HTTP."),
                              _("Ta bort SESSION_COOKIE_SECURE=0 ur miljön.")))
    else:
        results.append(Result(name, OK, _("Skickas bara över HTTPS.")))
    if config.get("X_ACCEL_REDIRECT_PREFIX") and not config.get("PROXY_COUNT"):
        results.append(Result(_("Proxy"), FAIL, _("PROXY_COUNT=0 bakom nginx: alla besökare "
                                                  "skulle få nginx adress."),
                              _("Sätt PROXY_COUNT=1.")))
    return results


CHECKS: tuple[Callable[[Flask], list[Result]], ...] = (
    check_environment, check_database, check_redis, check_storage, check_mail, check_origins,
    check_cookies,
)


def run_checks(app: Flask) -> list[Result]:
    results: list[Result] = []
    for check in CHECKS:
        results.extend(check(app))
    return results


def report(results: list[Result]) -> tuple[str, int]:
    """The printed report and the number of failures."""
    labels = {OK: _("OK"), WARN: _("VARNING"), FAIL: _("FEL")}
    lines = []
    for result in results:
        lines.append(f"[{labels[result.status]}] {result.name}: {result.detail}")
        if result.fix and result.status != OK:
            lines.append("    " + _("Åtgärd: %(fix)s", fix=result.fix))
    failed = sum(r.status == FAIL for r in results)
    lines.append(_("%(count)s problem att åtgärda.", count=failed) if failed
                 else _("Redo för produktion."))
    return "\n".join(lines), failed


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
