"""Bulk invitations: a CSV file in, a preview with plain-language errors per row, then sending.

Nothing is sent by reading a file: ``preview`` only checks. The preview's good rows travel back
signed (``sign_rows``) with the confirmation, are checked again (someone may have got an account
in between) and only then invited, each with the normal invitation email.

Columns (a header row, in any order, separated by ``;`` or ``,``): ``email`` (required), ``name``,
``organisation`` (its name in the network), ``group`` (a group's name or address name; several
separated by ``|`` or ``;`` — in a ``;``-separated file use ``|`` or quote the cell:
``Trygghet Norr|Skola``)
and ``role`` (``medlem``/``member`` or ``samordnare``/``facilitator``, the same in every group).
Each unknown group gets its own error on the row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from network.accounts.invitations import invite
from network.accounts.models import Group, GroupRole, Organisation, User
from network.accounts.services import AccountError, normalise_email
from network.extensions import db
from network.i18n import gettext as _
from network.permissions import check_access

COLUMNS = ("email", "name", "organisation", "group", "role")
ROLES = {"": GroupRole.MEMBER, "medlem": GroupRole.MEMBER, "member": GroupRole.MEMBER,
         "samordnare": GroupRole.FACILITATOR, "facilitator": GroupRole.FACILITATOR}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GROUP_SEPARATOR = re.compile(r"[|;]")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Row:
    line: int
    email: str
    name: str = ""
    organisation_id: int | None = None
    organisation: str = ""
    group_ids: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    role: str = GroupRole.MEMBER.value
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)
    problem: str = ""  # a problem with the whole file: nothing in it is usable

    @property
    def good(self) -> list[Row]:
        return [r for r in self.rows if not r.errors]

    @property
    def bad(self) -> list[Row]:
        return [r for r in self.rows if r.errors]


def preview(actor: User, text: str) -> Preview:
    """Read and check a file; sends nothing."""
    check_access("accounts.invitation.bulk", actor)
    text = text.lstrip("\ufeff")
    if not text.strip():
        return Preview(problem=_("Filen är tom."))
    dialect = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=dialect)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in ("email",) if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        return Preview(problem=_(
            "Första raden ska vara rubrikerna %(columns)s (e-post krävs). Okända eller saknade "
            "kolumner: %(wrong)s.", columns=", ".join(COLUMNS), wrong=", ".join(missing + unknown)))
    limit = current_app.config["BULK_INVITE_MAX_ROWS"]
    raw = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        raw.append((reader.line_num, dict(zip(header, (c.strip() for c in cells), strict=False))))
        if len(raw) > limit:
            return Preview(problem=_("Filen har fler än %(n)d rader. Dela upp den i flera filer.",
                                     n=limit))
    return Preview(rows=_check(raw))


def _check(raw: list[tuple[int, dict]]) -> list[Row]:
    organisations = {o.name.casefold(): o for o in db.session.scalars(select(Organisation))}
    groups = {}
    for g in db.session.scalars(select(Group).where(Group.archived.is_(False))):
        groups[g.name.casefold()] = g
        groups[g.slug.casefold()] = g
    emails = [normalise_email(values.get("email", "")) for _line, values in raw]
    taken = set(db.session.scalars(select(func.lower(User.email)).where(
        func.lower(User.email).in_([e for e in emails if e])))) if emails else set()
    seen: dict[str, int] = {}
    rows = []
    for (line, values), email in zip(raw, emails, strict=True):
        row = Row(line=line, email=email, name=values.get("name", ""))
        if any(v.startswith(FORMULA_START) for v in values.values() if v):
            row.errors.append(_("En cell börjar med =, +, - eller @ (en formel). Ta bort tecknet."))
        if not email:
            row.errors.append(_("E-postadress saknas."))
        elif not EMAIL.match(email) or len(email) > 254:
            row.errors.append(_("”%(email)s” är ingen giltig e-postadress.", email=email))
        elif email in seen:
            row.errors.append(_("Samma e-postadress som på rad %(line)d.", line=seen[email]))
        elif email in taken:
            row.errors.append(_("Det finns redan ett konto med den e-postadressen."))
        seen.setdefault(email, line)
        if values.get("organisation"):
            org = organisations.get(values["organisation"].casefold())
            if org is None:
                row.errors.append(_("Organisationen ”%(name)s” finns inte i nätverket.",
                                    name=values["organisation"]))
            else:
                row.organisation_id, row.organisation = org.id, org.name
        for name in _group_names(values.get("group", "")):
            group = groups.get(name.casefold())
            if group is None:
                row.errors.append(_("Gruppen ”%(name)s” finns inte (eller är arkiverad).",
                                    name=name))
            elif group.id not in row.group_ids:
                row.group_ids.append(group.id)
                row.groups.append(group.name)
        role = ROLES.get(values.get("role", "").casefold())
        if role is None:
            row.errors.append(_("Rollen ska vara ”medlem” eller ”samordnare”."))
        else:
            row.role = role.value
        rows.append(row)
    return rows


def _group_names(cell: str) -> list[str]:
    return [name.strip() for name in GROUP_SEPARATOR.split(cell) if name.strip()]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="bulk-invitations")


def sign_rows(rows: list[Row]) -> str:
    return _serializer().dumps([[r.line, r.email, r.organisation_id, r.group_ids, r.role]
                                for r in rows])


def send(actor: User, signed: str) -> tuple[int, list[Row]]:
    """Invite every confirmed row that is still good; returns (sent, rows that failed now)."""
    check_access("accounts.invitation.bulk", actor)
    try:
        data = _serializer().loads(signed)
    except BadSignature:
        raise AccountError(_("Förhandsgranskningen gick inte att läsa. Ladda upp filen igen.")) from None
    sent, failed = 0, []
    for line, email, organisation_id, group_ids, role in data:
        if not isinstance(group_ids, list):  # a preview signed before rows had several groups
            group_ids = [group_ids] if group_ids else []
        row = Row(line=line, email=email, organisation_id=organisation_id, group_ids=group_ids,
                  role=role)
        organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
        groups = [g for g in (db.session.get(Group, gid) for gid in group_ids) if g is not None]
        try:
            invite(actor, email, organisation=organisation, group=groups[0] if groups else None,
                   group_role=GroupRole(role), more_groups=groups[1:])
        except AccountError as exc:
            row.errors.append(str(exc))
            failed.append(row)
        else:
            sent += 1
    db.session.flush()
    return sent, failed
