"""Workshop chat participation per municipality, for the programme's follow-up. A message counts
for the municipality of its author's organisation; removed messages do not count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from network.accounts.models import Organisation, User
from network.chat.models import ChatMessage
from network.extensions import db


def participation_by_municipality(since: dt.datetime | None = None,
                                  until: dt.datetime | None = None) -> dict[str | None, dict[str, int]]:
    """{municipality code: {"messages": n, "participants": distinct authors}}."""
    where = [ChatMessage.removed_at.is_(None)]
    if since is not None:
        where.append(ChatMessage.created_at >= since)
    if until is not None:
        where.append(ChatMessage.created_at <= until)
    rows = db.session.execute(
        select(Organisation.municipality_code, func.count(ChatMessage.id),
               func.count(func.distinct(ChatMessage.author_id)))
        .select_from(ChatMessage).join(User, User.id == ChatMessage.author_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*where).group_by(Organisation.municipality_code)).all()
    return {code: {"messages": messages, "participants": people} for code, messages, people in rows}
