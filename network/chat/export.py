"""A room's transcript as plain text: what the facilitator saves to the resource library.

A pure function (data in, text out). Plain text on purpose: participants' words are never
interpreted as Markdown or HTML; removed messages are left out entirely.
"""

from __future__ import annotations

from flask_babel import format_datetime

from network.i18n import gettext as _


def transcript_text(data: dict) -> str:
    room = data["room"]
    lines = [room.title, "=" * len(room.title), "", _("Grupp: %(name)s", name=room.group.name), ""]
    if room.pinned_prompt:
        lines += [_("Fråga från samtalsledaren"), "", room.pinned_prompt, ""]
    for poll in data["polls"]:
        lines.append(_("Omröstning: %(question)s", question=poll["question"]))
        for option in poll["options"]:
            lines.append(f"  - {option['label']}: {_('%(n)s röster', n=option['votes'])}")
        lines.append(f"  {_('Totalt')}: {poll['total']}")
        lines.append("")
    lines += [_("Samtalet"), ""]
    for message in data["messages"]:
        if message.is_removed:
            continue
        if message.kind == "system":
            who = _("Meddelande från plattformen")
        else:
            who = message.author.display_name if message.author else _("Tidigare medlem")
        lines.append(f"[{format_datetime(message.created_at, 'short')}] {who}:")
        lines += ["  " + line for line in message.body.split("\n")]
    return "\n".join(lines).rstrip() + "\n"
