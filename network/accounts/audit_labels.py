"""Readable names for audit log action keys, in Swedish (msgids) with English translations.

The audit log stores stable keys (``user.deactivate``); people read these labels. A key
without a label (a feature added one and forgot) is shown as the key itself, never hidden.
"""

from __future__ import annotations

from network.i18n import lazy_gettext as _l

AUDIT_LABELS = {
    "account_request.approve": _l("Kontoförfrågan godkänd"),
    "account_request.decline": _l("Kontoförfrågan avslagen"),
    "area.classify": _l("Område klassat"),
    "area.create": _l("Område skapat"),
    "area.update": _l("Område ändrat"),
    "chat.message.remove": _l("Chattmeddelande borttaget"),
    "chat.room.create": _l("Workshoprum skapat"),
    "chat.room.open": _l("Workshoprum öppnat eller stängt"),
    "chat.transcript.save": _l("Chattutskrift sparad"),
    "events.event.cancel": _l("Evenemang inställt"),
    "events.event.create": _l("Evenemang skapat"),
    "events.event.update": _l("Evenemang ändrat"),
    "events.series.cancel": _l("Evenemangsserie inställd"),
    "events.series.create": _l("Evenemangsserie skapad"),
    "events.series.update": _l("Evenemangsserie ändrad"),
    "followup.measure.public_charts": _l("Diagram för åtgärd publicerade eller dolda"),
    "followup.report.approve": _l("Erfarenhetsrapport godkänd"),
    "followup.report.publish": _l("Erfarenhetsrapport publicerad"),
    "followup.report.unpublish": _l("Erfarenhetsrapport avpublicerad"),
    "followup.support.add": _l("Stödinsats registrerad"),
    "followup.support.delete": _l("Stödinsats borttagen"),
    "forums.category.archive": _l("Forumkategori arkiverad"),
    "forums.category.create": _l("Forumkategori skapad"),
    "forums.category.reorder": _l("Forumkategorier omordnade"),
    "forums.category.update": _l("Forumkategori ändrad"),
    "forums.flag.dismiss": _l("Anmälan av inlägg avfärdad"),
    "forums.flag.remove": _l("Anmält inlägg borttaget"),
    "forums.post.delete": _l("Inlägg borttaget"),
    "forums.post.detach": _l("Bilaga borttagen från inlägg"),
    "forums.post.edit": _l("Inlägg redigerat av moderator"),
    "forums.topic.answer": _l("Svar markerat"),
    "forums.topic.delete": _l("Tråd borttagen"),
    "forums.topic.lock": _l("Tråd låst"),
    "forums.topic.move": _l("Tråd flyttad"),
    "forums.topic.pin": _l("Tråd fäst"),
    "forums.topic.unlock": _l("Tråd upplåst"),
    "forums.topic.unpin": _l("Tråd inte längre fäst"),
    "group.archive": _l("Grupp arkiverad"),
    "group.create": _l("Grupp skapad"),
    "group.facilitator.transfer": _l("Samordnarrollen överlämnad"),
    "group.member.add": _l("Medlem tillagd i grupp"),
    "group.member.remove": _l("Medlem borttagen från grupp"),
    "group.unarchive": _l("Grupp återställd från arkivet"),
    "group.update": _l("Grupp ändrad"),
    "invitation.accept": _l("Inbjudan accepterad"),
    "invitation.create": _l("Inbjudan skickad"),
    "invitation.revoke": _l("Inbjudan återkallad"),
    "sso.link": _l("Inloggningstjänst kopplad till konto"),
    "sso.password_login.allow": _l("Lösenordsinloggning tillåten för domän"),
    "sso.password_login.block": _l("Lösenordsinloggning avstängd för domän"),
    "sso.unlink": _l("Inloggningstjänst bortkopplad från konto"),
    "municipality.participation": _l("Kommunens deltagande ändrat"),
    "organisation.create": _l("Organisation skapad"),
    "organisation.delete": _l("Organisation borttagen"),
    "organisation.update": _l("Organisation ändrad"),
    "resources.resource.approve": _l("Resurs godkänd"),
    "resources.resource.delete": _l("Resurs borttagen"),
    "resources.resource.reject": _l("Resurs avvisad"),
    "user.create_admin": _l("Administratör skapad"),
    "user.deactivate": _l("Konto inaktiverat"),
    "user.delete": _l("Konto borttaget"),
    "user.expertise": _l("Expertområden ändrade"),
    "user.reactivate": _l("Konto aktiverat igen"),
    "user.role": _l("Roll i nätverket ändrad"),
    "user.session.end": _l("Session avslutad av administratör"),
}


def audit_label(action: str) -> str:
    label = AUDIT_LABELS.get(action)
    return str(label) if label is not None else action
