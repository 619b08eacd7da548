"""The base of every form: Flask-WTF's (CSRF), with WTForms' messages translated cheaply."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from network.i18n import FORM_TRANSLATIONS


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Any:
            return FORM_TRANSLATIONS
