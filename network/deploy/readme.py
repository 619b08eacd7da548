"""README.md's deployment files are this package's output for the documented example settings.

``python -m network.deploy.readme`` rewrites the fenced block after each
``<!-- deploy-config KIND -->`` marker in README.md; ``tests/deploy/test_render.py`` fails when
they differ, so the README can never drift from what ``flask deploy-config`` writes.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

from network.deploy import render

README = Path(__file__).resolve().parents[2] / "README.md"
FENCES = {"nginx": "nginx", "systemd": "ini", "cron": "cron", "env": "sh"}
MARKER = re.compile(r"<!-- deploy-config (\w+) -->\n```(\w+)\n(.*?)```\n", re.DOTALL)

# The settings README.md's examples are written for (one machine, nginx in front).
EXAMPLE_ENV = {
    "NETWORK_ENV": "production",
    "SECRET_KEY": "example-secret-key-never-used-for-anything-real",
    "DATABASE_URL": "postgresql://network@/network",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PUBLIC_BASE_URL": "https://natverket.example.se",
    "SOCKETIO_ALLOWED_ORIGINS": "https://natverket.example.se",
    "PROXY_COUNT": "1",
    "STORAGE_DIR": "/srv/network/storage",
    "STORAGE_GROUP": "www-data",
    "X_ACCEL_REDIRECT_PREFIX": "/protected-files/",
    "MAIL_TRANSPORT": "smtp",
    "SMTP_HOST": "smtp.example.se",
    "SMTP_PORT": "587",
    "SMTP_STARTTLS": "1",
    "MAIL_FROM": "natverket@example.se",
    "DEPLOY_APP_DIR": "/srv/network/app",
}


@contextmanager
def _environment(values: dict[str, str]):
    """Exactly ``values`` (and nothing else of this kind) in os.environ while the config is read."""
    from config import ProductionConfig  # noqa: F401 - fails early if config.py is not importable

    saved = dict(os.environ)
    try:
        for name in list(os.environ):
            if name not in ("PATH", "HOME"):
                del os.environ[name]
        os.environ.update(values)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def example_config() -> dict:
    from config import ProductionConfig

    with _environment(EXAMPLE_ENV):
        config = ProductionConfig()
    return {name: getattr(config, name) for name in dir(config) if name.isupper()}


def expected() -> dict[str, str]:
    config = example_config()
    return {kind: render.render(kind, config) for kind in FENCES}


def documented(text: str) -> dict[str, str]:
    return {match.group(1): match.group(3) for match in MARKER.finditer(text)}


def rewrite(text: str) -> str:
    wanted = expected()

    def block(match: re.Match) -> str:
        kind = match.group(1)
        return f"<!-- deploy-config {kind} -->\n```{FENCES[kind]}\n{wanted[kind]}```\n"

    return MARKER.sub(block, text)


def main() -> int:
    text = README.read_text()
    new = rewrite(text)
    if new != text:
        README.write_text(new)
        print("README.md updated")
    missing = set(FENCES) - set(documented(new))
    if missing:
        print(f"README.md has no block for: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
