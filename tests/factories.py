"""Plain data factories: small functions with sensible defaults, flushed, never committed."""

from __future__ import annotations

import itertools

from network.accounts import services as accounts
from network.accounts.models import (
    ClassificationLevel,
    GroupKind,
    GroupRole,
    GroupVisibility,
    NetworkRole,
    OrganisationType,
)

DEFAULT_PASSWORD = "korrekt-hast-batteri-1"
_seq = itertools.count(1)


class Factory:
    def __init__(self, session) -> None:
        self.session = session

    def organisation(self, name=None, type=OrganisationType.KOMMUN, municipality_code="0180"):
        return accounts.create_organisation(None, name or f"Organisation {next(_seq)}", type,
                                            municipality_code=municipality_code)

    def user(self, name=None, email=None, password=DEFAULT_PASSWORD, admin=False, **kw):
        n = next(_seq)
        return accounts.create_user(email or f"person{n}@example.se", password, name or f"Person {n}",
                                    role=NetworkRole.ADMIN if admin else NetworkRole.MEMBER, **kw)

    def admin(self, **kw):
        return self.user(admin=True, **kw)

    def group(self, name=None, visibility=GroupVisibility.MEMBERS, kind=GroupKind.THEMATIC,
              members=(), facilitators=(), **kw):
        group = accounts.create_group(None, name or f"Grupp {next(_seq)}", kind,
                                      visibility=visibility, **kw)
        for user in members:
            accounts.add_member(None, group, user, GroupRole.MEMBER)
        for user in facilitators:
            accounts.add_member(None, group, user, GroupRole.FACILITATOR)
        return group

    def area(self, municipality_code="0180", name=None, level=ClassificationLevel.UTSATT, year=2025):
        area = accounts.create_area(None, municipality_code, name or f"Område {next(_seq)}")
        if level is not None:
            accounts.classify_area(None, area, year, level)
        return area
