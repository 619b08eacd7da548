"""Search tests reuse the follow-up world (a municipality with its local group)."""

from tests.followup.conftest import _fresh_g_per_request, world  # noqa: F401
