"""Library entries, their versions and files, and the link tables that relate them to the rest.

A *resource* is either a set of files (one or more per version; every version stays
downloadable with its change note) or an external link. Who may see it is decided by
``effective_visibility`` + ``group_id``: the requested ``visibility`` becomes effective only
once a public request has been approved; until then the resource keeps to the members or the
group (see ``services.effective_visibility_for``).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import Area, Group, Municipality, Organisation, User
from network.db import TimestampMixin, UTCDateTime, utcnow
from network.extensions import db
from network.i18n import lazy_gettext as _l


class ResourceType(enum.StrEnum):
    METODSTOD = "metodstod"
    LAGESBILD = "lagesbild"
    ATGARDSPLAN = "atgardsplan"
    UTVARDERING = "utvardering"
    RAPPORT = "rapport"
    PRESENTATION = "presentation"
    MALL = "mall"
    FILM_LANK = "film_lank"
    TRANSKRIPT = "transkript"
    OVRIGT = "ovrigt"


TYPE_LABELS = {
    ResourceType.METODSTOD: _l("Metodstöd"),
    ResourceType.LAGESBILD: _l("Lägesbild"),
    ResourceType.ATGARDSPLAN: _l("Åtgärdsplan"),
    ResourceType.UTVARDERING: _l("Utvärdering"),
    ResourceType.RAPPORT: _l("Rapport"),
    ResourceType.PRESENTATION: _l("Presentation"),
    ResourceType.MALL: _l("Mall"),
    ResourceType.FILM_LANK: _l("Film eller länk"),
    ResourceType.TRANSKRIPT: _l("Transkript"),
    ResourceType.OVRIGT: _l("Övrigt"),
}

THEMES = {
    "nyrekrytering": _l("Nyrekrytering"),
    "grovt_vald": _l("Grovt våld"),
    "ordningsstorningar": _l("Ordningsstörningar"),
    "trygghet_offentlig_miljo": _l("Trygghet i offentlig miljö"),
    "situationell_prevention": _l("Situationell prevention"),
    "foraldraskapsstod": _l("Föräldraskapsstöd"),
    "samverkan": _l("Samverkan"),
    "uppfoljning": _l("Uppföljning"),
}

LICENCES = {
    "cc-by-4.0": _l("CC BY 4.0 (fri att använda med angivande av källa)"),
    "cc-by-sa-4.0": _l("CC BY-SA 4.0 (dela lika)"),
    "cc0": _l("CC0 (fri från upphovsrätt)"),
    "allman-handling": _l("Allmän handling"),
    "alla-rattigheter": _l("Alla rättigheter förbehållna"),
}

LANGUAGES = {
    "sv": _l("Svenska"),
    "en": _l("Engelska"),
    "ar": _l("Arabiska"),
    "so": _l("Somaliska"),
    "fi": _l("Finska"),
    "other": _l("Annat språk"),
}


class ReviewStatus(enum.StrEnum):
    """Only a request to publish publicly is reviewed."""

    NOT_NEEDED = "not_needed"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Resource(TimestampMixin, db.Model):
    __tablename__ = "resources"
    __table_args__ = (
        Index("ix_resources_access", "effective_visibility", "group_id"),
        # A visitor's list, newest id first, read a page at a time (the API's resource list).
        Index("ix_resources_visibility_id", "effective_visibility", "id"),
        Index("ix_resources_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[ResourceType] = mapped_column(String(24), index=True)
    language: Mapped[str] = mapped_column(String(8), default="sv")
    licence: Mapped[str] = mapped_column(String(32), default="alla-rattigheter")
    # The publication year readers filter by (defaults to the year it was added).
    year: Mapped[int] = mapped_column(index=True)
    external_url: Mapped[str | None] = mapped_column(String(1000))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the owner asked for, and what applies now (public only once approved).
    visibility: Mapped[str] = mapped_column(String(16))
    effective_visibility: Mapped[str] = mapped_column(String(16))
    review_status: Mapped[ReviewStatus] = mapped_column(String(16), default=ReviewStatus.NOT_NEEDED)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Why an admin published without a review by someone else (empty after a real review).
    override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When it first became public: the Atom feed's order.
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    download_count: Mapped[int] = mapped_column(default=0)
    # The municipality of the sharer's organisation when it was shared (None: none), where the
    # programme's figures count it (``ResourceShareDay``); history, so no foreign key.
    municipality_code: Mapped[str | None] = mapped_column(String(4))

    organisation: Mapped[Organisation | None] = relationship()
    group: Mapped[Group | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    versions: Mapped[list[ResourceVersion]] = relationship(
        back_populates="resource", order_by="ResourceVersion.number.desc()",
        cascade="all, delete-orphan", passive_deletes=True,
    )
    theme_rows: Mapped[list[ResourceTheme]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ResourceTheme.theme"
    )
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary="resource_municipalities", order_by="Municipality.name"
    )
    areas: Mapped[list[Area]] = relationship(secondary="resource_areas", order_by="Area.name")
    links: Mapped[list[ResourceLink]] = relationship(
        back_populates="resource", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def themes(self) -> list[str]:
        return [row.theme for row in self.theme_rows]

    @property
    def current_version(self) -> ResourceVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(ResourceType(self.type), self.type))

    @property
    def is_public(self) -> bool:
        return self.effective_visibility == "public"


class ResourceVersion(db.Model):
    __tablename__ = "resource_versions"
    __table_args__ = (UniqueConstraint("resource_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    resource: Mapped[Resource] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
    files: Mapped[list[ResourceFile]] = relationship(
        back_populates="version", order_by="ResourceFile.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def download_count(self) -> int:
        return sum(f.download_count for f in self.files)


class ResourceFile(db.Model):
    """One stored file. The disk holds it under ``storage_key``; the name is only metadata."""

    __tablename__ = "resource_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("resource_versions.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    kind: Mapped[str] = mapped_column(String(16), default="")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    # When the background job read the file's text (network/resources/indexing.py); None while it
    # is still waiting. Files with no text to read get it when stored.
    extracted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    download_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[ResourceVersion] = relationship(back_populates="files")
    resource: Mapped[Resource] = relationship()

    @property
    def text_pending(self) -> bool:
        """The file's text is not yet in the search index (its job has not run yet)."""
        return self.extracted_at is None

    @property
    def kind_label(self) -> str:
        from network.resources.filetypes import KINDS

        found = KINDS.get(self.kind)
        return str(found.label) if found else self.content_type


class ResourceTheme(db.Model):
    __tablename__ = "resource_themes"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class ResourceMunicipality(db.Model):
    __tablename__ = "resource_municipalities"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_code: Mapped[str] = mapped_column(
        ForeignKey("municipalities.code"), primary_key=True, index=True
    )


class ResourceArea(db.Model):
    __tablename__ = "resource_areas"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)


class ResourceLink(db.Model):
    """A resource used by something of another feature, known only as (kind, object id)."""

    __tablename__ = "resource_links"
    __table_args__ = (
        UniqueConstraint("resource_id", "kind", "object_id"),
        Index("ix_resource_links_kind_object", "kind", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    resource: Mapped[Resource] = relationship(back_populates="links")


class ResourceDownload(db.Model):
    """One download, for "downloads per municipality in a period" in the programme's follow-up.

    Deliberately nothing personal: no user, no address, no time of day; only the day and, for a
    member, the municipality and type of their organisation. Written without emptying any cached
    page (``register_neutral``), like the download counters.
    """

    __tablename__ = "resource_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date] = mapped_column(index=True)
    municipality_code: Mapped[str | None] = mapped_column(String(4))
    organisation_type: Mapped[str | None] = mapped_column(String(32))


class DownloadTotal(db.Model):
    """Downloads so far, the sum of every ``Resource.download_count``, kept as one running total
    by the services in the writing transaction (totals.py), so the programme overview reads a row
    instead of summing every resource (issue 22). One row, ``id`` 1."""

    __tablename__ = "resource_download_totals"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    downloads: Mapped[int] = mapped_column(default=0)


class ResourceShareDay(db.Model):
    """Running totals for the programme overview and county view: resources shared per Stockholm
    day and municipality of the sharer's organisation when shared ("" for none), kept by the
    services in the writing transaction (totals.py), so a year's figures read at most a row per
    day and municipality instead of every resource (issue 22)."""

    __tablename__ = "resource_share_days"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True, default="")
    shared: Mapped[int] = mapped_column(default=0)
