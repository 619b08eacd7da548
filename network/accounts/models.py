"""People, organisations, the municipalities they belong to, areas and groups."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.db import TimestampMixin, UTCDateTime, utcnow
from network.extensions import db
from network.i18n import lazy_gettext as _l

FORMER_MEMBER_NAME = "Tidigare medlem"


class OrganisationType(enum.StrEnum):
    KOMMUN = "kommun"
    POLIS = "polis"
    LANSSTYRELSE = "lansstyrelse"
    REGION = "region"
    BOSTADSBOLAG = "bostadsbolag"
    FASTIGHETSAGARE = "fastighetsagare"  # centrumanläggning / fastighetsägare
    SKOLA = "skola"
    CIVILSAMHALLE = "civilsamhalle"
    MYNDIGHET = "myndighet"
    OVRIGT = "ovrigt"

    @property
    def label(self) -> str:
        return str(ORGANISATION_TYPE_LABELS[self])


class ClassificationLevel(enum.StrEnum):
    """The Police's classification of an area, in order of seriousness."""

    NONE = "none"  # no longer classified
    UTSATT = "utsatt"
    RISK = "risk"
    SARSKILT_UTSATT = "sarskilt_utsatt"

    @property
    def priority(self) -> int:
        """Sort key: the programme prioritises särskilt utsatta områden, then riskområden."""
        return {"sarskilt_utsatt": 0, "risk": 1, "utsatt": 2, "none": 3}[self.value]

    @property
    def label(self) -> str:
        return str(CLASSIFICATION_LABELS[self])


class NetworkRole(enum.StrEnum):
    """A person's role in the network as a whole (group roles are separate).

    ADMIN   the agency's network coordinators: administer everything.
    STAFF   programme staff at the agency: see every municipality's follow-up, give support,
            review what is published; no member administration.
    COUNTY  county board (länsstyrelse) staff: a regional overview of the municipalities of their
            county (``User.county_code``) without being members of each local group.
    MEMBER  everyone else.
    """

    ADMIN = "admin"
    STAFF = "staff"
    COUNTY = "county"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return str(NETWORK_ROLE_LABELS[self])


class GroupKind(enum.StrEnum):
    LOCAL = "local"  # lokal samverkansgrupp
    THEMATIC = "thematic"  # tematiskt nätverk

    @property
    def label(self) -> str:
        return str(GROUP_KIND_LABELS[self])


class GroupVisibility(enum.StrEnum):
    PUBLIC = "public"  # visitors may read what the group publishes
    MEMBERS = "members"  # every network member (an "open" group)
    CLOSED = "closed"  # the group's members only

    @property
    def label(self) -> str:
        return str(GROUP_VISIBILITY_LABELS[self])


class GroupRole(enum.StrEnum):
    FACILITATOR = "facilitator"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return str(GROUP_ROLE_LABELS[self])


class EmailPreference(enum.StrEnum):
    """How in-app notifications also reach the member's inbox."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    NEVER = "never"

    @property
    def label(self) -> str:
        return str(EMAIL_PREFERENCE_LABELS[self])


# Swedish labels (msgids) for the enums, shown in forms, lists and badges.
ORGANISATION_TYPE_LABELS = {
    OrganisationType.KOMMUN: _l("Kommun"),
    OrganisationType.POLIS: _l("Polis"),
    OrganisationType.LANSSTYRELSE: _l("Länsstyrelse"),
    OrganisationType.REGION: _l("Region"),
    OrganisationType.BOSTADSBOLAG: _l("Bostadsbolag"),
    OrganisationType.FASTIGHETSAGARE: _l("Centrumanläggning/fastighetsägare"),
    OrganisationType.SKOLA: _l("Skola"),
    OrganisationType.CIVILSAMHALLE: _l("Civilsamhälle"),
    OrganisationType.MYNDIGHET: _l("Statlig myndighet"),
    OrganisationType.OVRIGT: _l("Övrigt"),
}
CLASSIFICATION_LABELS = {
    ClassificationLevel.SARSKILT_UTSATT: _l("Särskilt utsatt område"),
    ClassificationLevel.RISK: _l("Riskområde"),
    ClassificationLevel.UTSATT: _l("Utsatt område"),
    ClassificationLevel.NONE: _l("Inte längre klassat"),
}
GROUP_KIND_LABELS = {
    GroupKind.LOCAL: _l("Lokal samverkansgrupp"),
    GroupKind.THEMATIC: _l("Tematiskt nätverk"),
}
GROUP_VISIBILITY_LABELS = {
    GroupVisibility.PUBLIC: _l("Publik: alla kan läsa det gruppen publicerar"),
    GroupVisibility.MEMBERS: _l("Öppen: alla medlemmar i nätverket"),
    GroupVisibility.CLOSED: _l("Sluten: endast gruppens medlemmar"),
}
NETWORK_ROLE_LABELS = {
    NetworkRole.ADMIN: _l("Nätverksadministratör"),
    NetworkRole.STAFF: _l("Programpersonal"),
    NetworkRole.COUNTY: _l("Länsstyrelsepersonal"),
    NetworkRole.MEMBER: _l("Medlem"),
}
GROUP_ROLE_LABELS = {
    GroupRole.FACILITATOR: _l("Samordnare"),
    GroupRole.MEMBER: _l("Medlem"),
}
EMAIL_PREFERENCE_LABELS = {
    EmailPreference.IMMEDIATELY: _l("Direkt"),
    EmailPreference.DAILY: _l("En sammanfattning per dag"),
    EmailPreference.NEVER: _l("Aldrig"),
}


class County(db.Model):
    __tablename__ = "counties"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="county")


class Municipality(db.Model):
    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"), index=True)
    participating_since: Mapped[dt.date | None]

    county: Mapped[County] = relationship(back_populates="municipalities")
    areas: Mapped[list[Area]] = relationship(
        back_populates="municipality", order_by="Area.name", cascade="all, delete-orphan"
    )

    @property
    def is_participating(self) -> bool:
        return self.participating_since is not None


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[OrganisationType] = mapped_column(String(32))
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.code"), index=True
    )
    county_code: Mapped[str | None] = mapped_column(ForeignKey("counties.code"), index=True)

    municipality: Mapped[Municipality | None] = relationship()
    county: Mapped[County | None] = relationship()

    @property
    def type_label(self) -> str:
        return OrganisationType(self.type).label


class Area(TimestampMixin, db.Model):
    """An area of a municipality, e.g. a neighbourhood the Police have classified."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("municipality_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    municipality: Mapped[Municipality] = relationship(back_populates="areas")
    classifications: Mapped[list[AreaClassification]] = relationship(
        back_populates="area",
        order_by="AreaClassification.year.desc()",
        cascade="all, delete-orphan",
    )

    @property
    def current_level(self) -> ClassificationLevel:
        if not self.classifications:
            return ClassificationLevel.NONE
        return ClassificationLevel(self.classifications[0].level)


class AreaClassification(db.Model):
    __tablename__ = "area_classifications"
    __table_args__ = (UniqueConstraint("area_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    level: Mapped[ClassificationLevel] = mapped_column(String(24))

    area: Mapped[Area] = relationship(back_populates="classifications")

    @property
    def level_label(self) -> str:
        return ClassificationLevel(self.level).label


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null once the account is deleted: the row stays so content keeps an author.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    role: Mapped[NetworkRole] = mapped_column(String(16), default=NetworkRole.MEMBER)
    # The county a county-board (NetworkRole.COUNTY) person oversees; null for everyone else.
    county_code: Mapped[str | None] = mapped_column(ForeignKey("counties.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    # immediately | daily | never: how in-app notifications also reach the inbox.
    email_notifications: Mapped[str] = mapped_column(String(16), default="immediately")
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # What the member directory shows other members (the member's own choice).
    show_email: Mapped[bool] = mapped_column(default=False)
    show_phone: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    expertise: Mapped[list[UserExpertise]] = relationship(
        cascade="all, delete-orphan", order_by="UserExpertise.theme"
    )

    @property
    def role_label(self) -> str:
        return NetworkRole(self.role).label

    @property
    def is_expert(self) -> bool:
        return bool(self.expertise)

    # The login key of the server-side session this object was loaded through (or opened with);
    # Flask-Login keeps it in the cookie. Plain attributes, never stored.
    session_key = None
    server_session_id = None

    def get_id(self) -> str:
        """Flask-Login's cookie value: the key of a server-side session (opened on first use)."""
        if self.session_key is None:
            from network.accounts.sessions import open_session

            open_session(self)
        return str(self.session_key)

    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    @property
    def is_admin(self) -> bool:
        return self.role == NetworkRole.ADMIN

    @property
    def is_programme_staff(self) -> bool:
        """Admins and the agency's programme staff: every municipality's follow-up."""
        return self.role in (NetworkRole.ADMIN, NetworkRole.STAFF)

    @property
    def overseen_county(self) -> str | None:
        """The county code a county-board person oversees (None for other roles)."""
        return self.county_code if self.role == NetworkRole.COUNTY else None

    @property
    def display_name(self) -> str:
        return FORMER_MEMBER_NAME if self.deleted_at else self.name


class Group(TimestampMixin, db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[GroupKind] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[GroupVisibility] = mapped_column(String(16), default=GroupVisibility.MEMBERS)
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.code"), index=True
    )
    archived: Mapped[bool] = mapped_column(default=False)

    municipality: Mapped[Municipality | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    @property
    def kind_label(self) -> str:
        return GroupKind(self.kind).label

    @property
    def visibility_label(self) -> str:
        return GroupVisibility(self.visibility).label


class Membership(TimestampMixin, db.Model):
    __tablename__ = "memberships"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[GroupRole] = mapped_column(String(16), default=GroupRole.MEMBER)

    group: Mapped[Group] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")

    @property
    def role_label(self) -> str:
        return GroupRole(self.role).label


class Invitation(TimestampMixin, db.Model):
    """A single-use invitation; only the SHA-256 of the emailed token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    group_role: Mapped[GroupRole] = mapped_column(String(16), default=GroupRole.MEMBER)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    organisation: Mapped[Organisation | None] = relationship()
    group: Mapped[Group | None] = relationship()
    # Further groups joined with the same role (a bulk-invitation row may name several).
    extra_groups: Mapped[list[Group]] = relationship(secondary="invitation_groups",
                                                     order_by="Group.name")

    @property
    def groups(self) -> list[Group]:
        """Every group the invitee joins: the first one, then the others."""
        return ([self.group] if self.group else []) + [g for g in self.extra_groups
                                                       if g is not self.group]

    @property
    def role_label(self) -> str:
        return GroupRole(self.group_role).label

    def usable(self, now: dt.datetime | None = None) -> bool:
        return self.used_at is None and (now or utcnow()) < self.expires_at


class InvitationGroup(db.Model):
    """A further group an invitation joins (``Invitation.group`` is the first)."""

    __tablename__ = "invitation_groups"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


class PasswordReset(db.Model):
    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AuditLog(db.Model):
    """Who did what to what, and when: every admin and moderator action lands here."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class UserSession(db.Model):
    """A signed-in browser: the cookie carries a random key, only its SHA-256 is stored here.

    Ending a session deletes its row, so a copied cookie stops working at once.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)

    user: Mapped[User] = relationship()


class UserExpertise(db.Model):
    """An expert marking: the person answers questions on this library theme."""

    __tablename__ = "user_expertise"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class AccountRequest(db.Model):
    """Someone from an organisation not yet in the network asks to join; an admin decides."""

    __tablename__ = "account_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    role_title: Mapped[str] = mapped_column(String(120), default="")
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.code"))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_message: Mapped[str] = mapped_column(Text, default="")

    municipality: Mapped[Municipality | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
