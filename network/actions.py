"""Running a service action from a form post: commit on success, roll back and say why on refusal.

Every feature's errors that a person can act on (``AccountError``, ``ResourceError``,
``FollowupError``…) are ``ValueError``s whose message is written for the reader; anything else is a
bug and reaches the error handler. Views that put a refusal next to a form field handle it
themselves instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from network.extensions import db


def commit_or_flash(action: Callable[[], Any], success: str,
                    refusals: type[Exception] | tuple[type[Exception], ...] = ValueError) -> bool:
    """Run ``action``; commit and flash ``success``, or roll back and flash the refusal's message."""
    try:
        action()
    except refusals as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True
