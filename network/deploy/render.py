"""The deployment files, rendered from one template set and the app's settings.

Pure functions: settings in, text out. README.md shows their output for the documented example
settings (``network/deploy/readme.py``; a test keeps the two identical).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

KINDS = ("nginx", "systemd", "cron", "env")
UNIT_DIR = "/etc/systemd/system"


class DeployConfigError(ValueError):
    """The settings cannot make a working file (e.g. PROXY_COUNT=0 behind nginx)."""


@dataclass(frozen=True)
class Job:
    command: str
    description: str
    schedule: str      # for people
    on_calendar: str   # systemd
    cron: str          # crontab


JOBS = (
    Job("send-mail", "send the queued email", "every minute", "*-*-* *:*:00", "* * * * *"),
    Job("send-digests", "queue the daily notification digests", "daily at 06:00",
        "*-*-* 06:00:00", "0 6 * * *"),
    Job("events-send-reminders", "remind participants of tomorrow's events", "daily at 08:00",
        "*-*-* 08:00:00", "0 8 * * *"),
    Job("events-purge-needs", "delete participants' needs 30 days after their event",
        "daily at 03:30", "*-*-* 03:30:00", "30 3 * * *"),
    Job("purge-sessions", "delete expired login sessions", "daily at 03:40",
        "*-*-* 03:40:00", "40 3 * * *"),
    Job("api-deliver-webhooks", "send queued webhook deliveries, retrying failures",
        "every minute", "*-*-* *:*:30", "* * * * *"),
)


def _environment() -> Environment:
    return Environment(loader=PackageLoader("network.deploy", "templates"), undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                       autoescape=False)  # noqa: S701 - configuration files, not HTML


def _context(config: Mapping[str, Any]) -> dict[str, Any]:
    app_dir = str(config["DEPLOY_APP_DIR"]).rstrip("/")
    public = urlsplit(config["PUBLIC_BASE_URL"])
    prefix = config.get("X_ACCEL_REDIRECT_PREFIX")
    return {
        "app_dir": app_dir,
        "env_file": config["DEPLOY_ENV_FILE"],
        "user": config["DEPLOY_USER"],
        "page_ports": list(config["DEPLOY_PAGE_PORTS"]),
        "chat_ports": list(config["DEPLOY_CHAT_PORTS"]),
        "listen": config["DEPLOY_LISTEN"],
        "tls_cert": config["DEPLOY_TLS_CERT"],
        "tls_key": config["DEPLOY_TLS_KEY"],
        "public_url": config["PUBLIC_BASE_URL"],
        "server_name": public.hostname or "_",
        "proxy_count": int(config.get("PROXY_COUNT") or 0),
        "body_limit": f"{math.ceil(int(config['MAX_CONTENT_LENGTH']) / (1 << 20))}m",
        "static_dir": f"{app_dir}/network/static",
        "storage_dir": str(config["STORAGE_DIR"]).rstrip("/"),
        "accel_prefix": ("/" + prefix.strip("/") + "/") if prefix else None,
    }


def job_command(config: Mapping[str, Any], job: Job) -> str:
    """The job under a lock: a run still busy when the next is due makes the next one skip."""
    app_dir = str(config["DEPLOY_APP_DIR"]).rstrip("/")
    return (f"/usr/bin/flock --nonblock --conflict-exit-code 0 /run/lock/network-{job.command}.lock "
            f"{app_dir}/.venv/bin/flask --app network {job.command}")


def nginx(config: Mapping[str, Any]) -> str:
    context = _context(config)
    if context["proxy_count"] < 1:
        raise DeployConfigError("PROXY_COUNT must be 1 (or more) behind nginx: without it the "
                                "app sees every visitor as nginx's address")
    return _environment().get_template("nginx.conf.j2").render(context)


def systemd_units(config: Mapping[str, Any]) -> dict[str, str]:
    """{unit file name: content}."""
    env, context = _environment(), _context(config)
    units = {
        "network-page@.service": env.get_template("page.service.j2").render(context),
        "network-chat@.service": env.get_template("chat.service.j2").render(context),
        "network-worker.service": env.get_template("worker.service.j2").render(context),
    }
    for job in JOBS:
        job_context = {**context, "job": {
            "description": job.description, "schedule": job.schedule,
            "on_calendar": job.on_calendar, "exec_start": job_command(config, job)}}
        units[f"network-{job.command}.service"] = env.get_template("job.service.j2").render(job_context)
        units[f"network-{job.command}.timer"] = env.get_template("job.timer.j2").render(job_context)
    return units


def enable_command(config: Mapping[str, Any]) -> str:
    units = [f"network-page@{p}.service" for p in config["DEPLOY_PAGE_PORTS"]]
    units += [f"network-chat@{p}.service" for p in config["DEPLOY_CHAT_PORTS"]]
    units.append("network-worker.service")
    units += [f"network-{job.command}.timer" for job in JOBS]
    return "systemctl daemon-reload && systemctl enable --now " + " ".join(units)


def systemd(config: Mapping[str, Any]) -> str:
    parts = [f"# {UNIT_DIR}/{name}\n{text}" for name, text in systemd_units(config).items()]
    parts.append(f"# then: {enable_command(config)}\n")
    return "\n".join(parts)


def cron(config: Mapping[str, Any]) -> str:
    """/etc/cron.d lines: the same jobs as the timers, for machines without systemd."""
    app_dir = str(config["DEPLOY_APP_DIR"]).rstrip("/")
    lines = ["# /etc/cron.d/network: flask --app network deploy-config cron (or the timers)"]
    for job in JOBS:
        lines.append(f"{job.cron:<11} {config['DEPLOY_USER']}  cd {app_dir} && set -a && "
                     f". {config['DEPLOY_ENV_FILE']} && set +a && {job_command(config, job)}")
    return "\n".join(lines) + "\n"


def _env_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


ENV_SETTINGS = (
    ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"), ("REDIS_URL", None), ("PUBLIC_BASE_URL", None),
    ("SOCKETIO_ALLOWED_ORIGINS", None), ("PROXY_COUNT", None), ("STORAGE_DIR", None),
    ("STORAGE_GROUP", None), ("X_ACCEL_REDIRECT_PREFIX", None), ("CACHE_KEY_PREFIX", None),
    ("RATELIMIT_KEY_PREFIX", None), ("CHAT_REDIS_PREFIX", None), ("SESSION_REDIS_PREFIX", None),
    ("SOCKETIO_CHANNEL", None), ("JOBS_QUEUE", None), ("RQ_KEY_PREFIX", None),
    ("MAIL_TRANSPORT", None), ("MAIL_FROM", None), ("SMTP_HOST", None), ("SMTP_PORT", None),
    ("SMTP_STARTTLS", None), ("DEPLOY_APP_DIR", None), ("DEPLOY_USER", None),
    ("DEPLOY_PAGE_PORTS", None), ("DEPLOY_CHAT_PORTS", None), ("DEPLOY_LISTEN", None),
    ("DEPLOY_TLS_CERT", None), ("DEPLOY_TLS_KEY", None),
)


def env(config: Mapping[str, Any]) -> str:
    """The environment file; the secret is left for the operator to fill in."""
    settings = [(name, _env_value(config.get(key or name))) for name, key in ENV_SETTINGS]
    return _environment().get_template("env.j2").render(
        env_file=config["DEPLOY_ENV_FILE"], user=config["DEPLOY_USER"], settings=settings)


def render(kind: str, config: Mapping[str, Any]) -> str:
    if kind not in KINDS:
        raise DeployConfigError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return {"nginx": nginx, "systemd": systemd, "cron": cron, "env": env}[kind](config)
