"""What the accounts feature tells the features above it, without knowing them.

``access_reduced`` is sent (inside the transaction, before the commit) when someone may have
lost access to something: removed from or leaving a group, deactivated, deleted. Receivers
that act on live connections (the chat's open sockets) must wait for the commit; see
``network/chat/revocation.py``. Keyword arguments: ``user_id`` and ``everything`` (True when
the account itself no longer signs in).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

access_reduced = _signals.signal("network.accounts.access-reduced")


def notify_access_reduced(user_id: int, *, everything: bool = False) -> None:
    access_reduced.send(None, user_id=user_id, everything=everything)
