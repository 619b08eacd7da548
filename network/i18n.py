"""Locale choice and Swedish date formatting.

Message ids are written in Swedish, the platform's first language, so the Swedish interface is
complete by construction; English comes from the ``en`` catalogs. Each feature keeps its own
catalog under ``network/<feature>/translations`` so features never edit one shared file.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_login import current_user

PACKAGE_DIR = Path(__file__).resolve().parent


def translation_directories() -> list[str]:
    dirs = [PACKAGE_DIR / "translations"]
    dirs += sorted(p for p in PACKAGE_DIR.glob("*/translations") if p.is_dir())
    return [str(d) for d in dirs if d.is_dir()]


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and workers: the first language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    # Swedish first: English only when the visitor chose it or the browser asks for nothing else.
    best = request.accept_languages.best_match(languages) if request else None
    return "en" if best == "en" and not request.accept_languages.quality("sv") else "sv"
