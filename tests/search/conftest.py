"""Search tests reuse the follow-up world (a municipality with its local group)."""

from tests.followup.conftest import world  # noqa: F401
