"""The library's actions: the only code that changes resources. Other features use these too.

Services take plain arguments and the acting user, change the session and flush; the request
commits. Files are stored through ``storage`` and kept only if that commit happens.

API for other features (they know resources only through this module):

``attach(actor, resource, kind, object_id)`` / ``detach(actor, resource, kind, object_id)``
    Link a resource to something of yours, e.g. ``attach(user, r, "forum_post", post.id)``.
    ``detach_all(kind, object_id)`` when your object is deleted.
``resources_for(user, kind, object_id)``
    The linked resources ``user`` may see, newest first.
``register_link_kind(app, kind, resolver)``
    ``resolver(user, object_id) -> (title, url) | None`` turns your link into the "Används i"
    entry on the resource page; return None when ``user`` may not see your object.
``create_generated_resource(actor, *, title, filename, content, content_type, visibility,
group_id, type=ResourceType.OVRIGT, summary="")``
    Store a server-made file (transcript, report) with the same checks as an upload.
``create_uploaded_resource(actor, upload, *, visibility, group_id)``
    A file someone uploads inside another feature (a forum post) becomes a library resource
    they own, checked and stored like any upload; a public request is reviewed as usual.
``attachments_for(user, kind, object_ids)``
    ``{object id: [Attachment]}`` for a whole page of objects in one query (what a reader may
    see, with the current version's files); ``upload_limit_text()`` for the form hint.
``picker_choices(user)`` and ``forms.ResourcePickerField``
    Let a form pick an existing resource the user may see (``resources/_picker.html``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.orm import joinedload, selectinload

from network import fulltext, permissions
from network.accounts.models import Area, AreaClassification, Group, GroupVisibility, Municipality
from network.accounts.services import audit, user_municipality
from network.db import utcnow
from network.extensions import db
from network.i18n import format_filesize
from network.i18n import lazy_gettext as _l
from network.permissions import check_access
from network.resources import filetypes, indexing, notices, storage, totals
from network.resources.models import (
    LICENCES,
    THEMES,
    TYPE_LABELS,
    Resource,
    ResourceArea,
    ResourceDownload,
    ResourceFile,
    ResourceLink,
    ResourceMunicipality,
    ResourceTheme,
    ResourceType,
    ResourceVersion,
    ReviewStatus,
)
from network.resources.permissions import (
    publishes_without_review,
    review_queue_filter,
    scoped_resources_filter,
    visible_resources_filter,
)
from network.totals import whole_days

KIND = "resource"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
URL_PREFIX = "/bibliotek"
MAX_FILES_PER_UPLOAD = 20
MAX_INDEXED_TEXT = 1024 * 1024

LinkResolver = Callable[[Any, int], "tuple[str, str] | None"]


class ResourceError(ValueError):
    """A request that cannot be carried out; ``str(error)`` is shown to the user."""


class UploadRefused(ResourceError):
    def __init__(self, filename: str, reason: Any) -> None:
        super().__init__(filename, reason)
        self.filename = filename
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.filename}: {self.reason}"


class StorageFull(UploadRefused):
    """The server's disk had no room: nothing was kept (answered 507)."""


class UploadTooLarge(UploadRefused):
    pass


@dataclass
class Upload:
    """A file to store: a readable binary stream and the name the sender gave it."""

    stream: BinaryIO
    filename: str


def resource_url(resource_id: int) -> str:
    return f"{URL_PREFIX}/{resource_id}"


def effective_visibility_for(visibility: str, review_status: str, group: Group | None) -> str:
    """Public only once approved; until then the group's audience (closed group) or all members."""
    if visibility != permissions.Visibility.PUBLIC:
        return visibility
    if review_status == ReviewStatus.APPROVED:
        return permissions.Visibility.PUBLIC.value
    if group is not None and group.visibility == GroupVisibility.CLOSED:
        return permissions.Visibility.GROUP.value
    return permissions.Visibility.MEMBERS.value


# -- files -------------------------------------------------------------------------------------


def _store(upload: Upload, *, kind_hint: str | None = None) -> tuple[storage.StoredFile, str, str]:
    shown = filetypes.safe_filename(upload.filename)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        stored = storage.save_stream(upload.stream, limit)
    except storage.TooLarge as exc:
        raise UploadTooLarge(shown, _l("Filen är större än %(size)s.", size=format_filesize(limit))) from exc
    except storage.StorageFull as exc:
        raise StorageFull(shown, _l("Servern har inte plats för filen just nu. Ingenting har "
                                    "sparats; försök igen senare.")) from exc
    try:
        kind, name = filetypes.sniff(stored.path, upload.filename)
    except filetypes.Refused as exc:
        storage.discard(stored)
        raise UploadRefused(shown, exc.args[0]) from exc
    key = "csv" if kind_hint == "csv" and kind.content_type.startswith("text/plain") else None
    return stored, key or _kind_key(kind), name


def _kind_key(kind: filetypes.FileKind) -> str:
    return next(key for key, value in filetypes.KINDS.items() if value is kind)


def _add_version(actor: Any, resource: Resource, uploads: Sequence[Upload], change_note: str,
                 kind_hint: str | None = None) -> ResourceVersion:
    if not uploads:
        raise ResourceError(_l("Välj minst en fil."))
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise ResourceError(_l("Högst %(n)s filer åt gången.", n=MAX_FILES_PER_UPLOAD))
    number = (db.session.scalar(
        select(func.max(ResourceVersion.number)).where(ResourceVersion.resource_id == resource.id)
    ) or 0) + 1
    version = ResourceVersion(resource=resource, number=number, change_note=change_note.strip(),
                              created_by_id=getattr(actor, "id", None))
    db.session.add(version)
    stored_here: list[storage.StoredFile] = []
    try:
        for upload in uploads:
            stored, kind, name = _store(upload, kind_hint=kind_hint)
            stored_here.append(stored)
            version.files.append(ResourceFile(
                resource=resource, storage_key=stored.key, filename=name,
                content_type=filetypes.KINDS[kind].content_type, kind=kind, size=stored.size,
                sha256=stored.sha256, extracted_text="",
                extracted_at=None if indexing.has_text(kind) else utcnow(),
            ))
    except BaseException:
        for stored in stored_here:
            storage.discard(stored)
        raise
    db.session.flush()
    indexing.queue_extraction(version.files)  # read after the commit, not in this request
    return version


# -- resources ---------------------------------------------------------------------------------


def _clean_fields(title: str, type: str, themes: Iterable[str], language: str, licence: str,
                  visibility: str, group: Group | None, external_url: str | None) -> None:
    if not title.strip():
        raise ResourceError(_l("Ange en titel."))
    if type not in set(ResourceType):
        raise ResourceError(_l("Okänd typ."))
    if any(theme not in THEMES for theme in themes):
        raise ResourceError(_l("Okänt tema."))
    if licence not in LICENCES:
        raise ResourceError(_l("Okänd licens."))
    if visibility not in set(permissions.Visibility):
        raise ResourceError(_l("Okänd synlighet."))
    if visibility == permissions.Visibility.GROUP and group is None:
        raise ResourceError(_l("Välj en grupp för material som bara gruppen ska se."))
    if external_url and not external_url.startswith(("https://", "http://")):
        raise ResourceError(_l("Länken måste börja med https:// eller http://."))


def _set_relations(resource: Resource, themes: Iterable[str], municipality_codes: Iterable[str],
                   area_ids: Iterable[int]) -> None:
    resource.theme_rows = [ResourceTheme(theme=t) for t in dict.fromkeys(themes)]
    codes = list(dict.fromkeys(municipality_codes))
    resource.municipalities = list(
        db.session.scalars(select(Municipality).where(Municipality.code.in_(codes)))
    ) if codes else []
    ids = list(dict.fromkeys(int(a) for a in area_ids))
    resource.areas = list(db.session.scalars(select(Area).where(Area.id.in_(ids)))) if ids else []


def _apply_visibility(actor: Any, resource: Resource, visibility: str, override_reason: str = "") -> None:
    """Set the requested visibility; a public request waits for a review by someone else unless an
    admin publishes it at once and says why (the admin override, kept and audited)."""
    was_public = resource.effective_visibility == permissions.Visibility.PUBLIC
    resource.visibility = visibility
    if visibility != permissions.Visibility.PUBLIC:
        resource.review_status = ReviewStatus.NOT_NEEDED
        resource.override_reason = ""
    elif (override_reason or "").strip() and resource.review_status != ReviewStatus.APPROVED:
        _override(actor, resource, override_reason)
    elif resource.review_status != ReviewStatus.APPROVED:
        resource.review_status = ReviewStatus.PENDING
    resource.effective_visibility = effective_visibility_for(
        visibility, resource.review_status, resource.group
    )
    if resource.effective_visibility == permissions.Visibility.PUBLIC and not was_public:
        resource.published_at = resource.published_at or utcnow()


def _mark_approved(actor: Any, resource: Resource) -> None:
    resource.review_status = ReviewStatus.APPROVED
    resource.reviewed_by_id = getattr(actor, "id", None)
    resource.reviewed_at = utcnow()


def _override(actor: Any, resource: Resource, reason: str) -> None:
    """An admin publishes without a review by someone else; the reason is kept and audited."""
    check_access("resources.override_review", actor, resource)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ResourceError(_l("Skriv varför granskningen hoppas över (minst 10 tecken)."))
    _mark_approved(actor, resource)
    resource.override_reason = reason
    if resource.id is None:
        db.session.flush()  # the audit entry names the resource
    audit(actor, "resources.resource.override", resource, reason=reason)


def override_publish(actor: Any, resource: Resource, reason: str) -> None:
    """An admin publishes a resource waiting for review without an independent review, saying why."""
    check_access("resources.override_review", actor, resource)
    if resource.review_status != ReviewStatus.PENDING:
        raise ResourceError(_l("Resursen väntar inte på granskning."))
    _override(actor, resource, reason)
    resource.review_note = ""
    resource.effective_visibility = permissions.Visibility.PUBLIC.value
    resource.published_at = resource.published_at or utcnow()
    db.session.flush()
    reindex(resource)
    _notify_author(resource, "Din resurs är nu publicerad för alla", "")


def create_resource(actor: Any, *, title: str, type: str, visibility: str, summary: str = "",
                    themes: Iterable[str] = (), organisation_id: int | None = None,
                    group_id: int | None = None, municipality_codes: Iterable[str] = (),
                    area_ids: Iterable[int] = (), language: str = "sv",
                    licence: str = "alla-rattigheter", external_url: str | None = None,
                    year: int | None = None, uploads: Sequence[Upload] = (),
                    change_note: str = "", _kind_hint: str | None = None,
                    override_reason: str = "") -> Resource:
    """A public request waits for a review by someone else; an admin may publish at once by
    giving ``override_reason``."""
    group = db.session.get(Group, group_id) if group_id else None
    if group_id and group is None:
        raise ResourceError(_l("Gruppen finns inte."))
    check_access("resources.create_resource", actor, group)
    themes = list(themes)
    _clean_fields(title, type, themes, licence=licence, language=language, visibility=visibility,
                  group=group, external_url=external_url)
    if not uploads and not external_url:
        raise ResourceError(_l("Ladda upp minst en fil eller ange en länk."))
    resource = Resource(
        title=title.strip(), summary=summary.strip(), type=type, language=language, licence=licence,
        year=year or utcnow().year, external_url=external_url or None,
        organisation_id=organisation_id, group=group, group_id=group_id,
        created_by_id=getattr(actor, "id", None), review_status=ReviewStatus.NOT_NEEDED,
        effective_visibility=visibility,
        municipality_code=user_municipality(actor),  # where count_shared counts it, for good
    )
    db.session.add(resource)
    _apply_visibility(actor, resource, visibility, override_reason)
    _set_relations(resource, themes, municipality_codes, area_ids)
    db.session.flush()
    totals.count_shared(resource)
    if uploads:
        _add_version(actor, resource, uploads, change_note or "", kind_hint=_kind_hint)
    reindex(resource)
    notices.tell_group(actor, resource, created=True, url=resource_url(resource.id))
    return resource


def update_resource(actor: Any, resource: Resource, *, title: str, type: str, visibility: str,
                    summary: str = "", themes: Iterable[str] = (), organisation_id: int | None = None,
                    municipality_codes: Iterable[str] = (), area_ids: Iterable[int] = (),
                    language: str = "sv", licence: str = "alla-rattigheter",
                    external_url: str | None = None, year: int | None = None,
                    override_reason: str = "") -> Resource:
    """Change the metadata. The owning group is kept: moving material between groups is a new one."""
    check_access("resources.update_resource", actor, resource)
    themes = list(themes)
    _clean_fields(title, type, themes, language=language, licence=licence, visibility=visibility,
                  group=resource.group, external_url=external_url)
    if not resource.versions and not external_url:
        raise ResourceError(_l("Ange en länk eller ladda upp en fil."))
    resource.title, resource.summary = title.strip(), summary.strip()
    resource.type, resource.language, resource.licence = type, language, licence
    resource.organisation_id = organisation_id
    resource.external_url = external_url or None
    resource.year = year or resource.year
    _set_relations(resource, themes, municipality_codes, area_ids)
    _apply_visibility(actor, resource, visibility, override_reason)
    db.session.flush()
    reindex(resource)
    notices.tell_group(actor, resource, created=False, url=resource_url(resource.id))
    return resource


def add_version(actor: Any, resource: Resource, uploads: Sequence[Upload],
                change_note: str = "") -> ResourceVersion:
    """New files become the current version; older versions stay downloadable.

    New public material from someone who is not a moderator goes back to review, since the
    approved version is no longer what visitors would get.
    """
    check_access("resources.add_version", actor, resource)
    version = _add_version(actor, resource, uploads, change_note)
    if (resource.visibility == permissions.Visibility.PUBLIC
            and not publishes_without_review(actor, resource.group_id)):
        resource.review_status = ReviewStatus.PENDING
        resource.effective_visibility = effective_visibility_for(
            resource.visibility, resource.review_status, resource.group
        )
    db.session.flush()
    db.session.expire(resource, ["versions"])
    reindex(resource)
    notices.tell_group(actor, resource, created=False, url=resource_url(resource.id))
    return version


def approve(actor: Any, resource: Resource) -> None:
    check_access("resources.approve", actor, resource)
    if resource.review_status != ReviewStatus.PENDING:
        raise ResourceError(_l("Resursen väntar inte på granskning."))
    _mark_approved(actor, resource)
    resource.review_note = resource.override_reason = ""
    resource.effective_visibility = permissions.Visibility.PUBLIC.value
    resource.published_at = resource.published_at or utcnow()
    audit(actor, "resources.resource.approve", resource)
    db.session.flush()
    reindex(resource)
    _notify_author(resource, "Din resurs är nu publicerad för alla", "")


def reject(actor: Any, resource: Resource, note: str = "") -> None:
    """Refuse public publication: the resource stays with members (or the group)."""
    check_access("resources.reject", actor, resource)
    if resource.review_status != ReviewStatus.PENDING:
        raise ResourceError(_l("Resursen väntar inte på granskning."))
    resource.review_status = ReviewStatus.REJECTED
    resource.review_note, resource.override_reason = note.strip(), ""
    resource.reviewed_by_id, resource.reviewed_at = actor.id, utcnow()
    resource.effective_visibility = effective_visibility_for(
        resource.visibility, resource.review_status, resource.group
    )
    audit(actor, "resources.resource.reject", resource, note=note.strip())
    db.session.flush()
    reindex(resource)
    _notify_author(resource, "Din resurs publicerades inte för alla", note.strip())


def _notify_author(resource: Resource, title: str, body: str) -> None:
    from network.notifications.services import notify

    author = resource.created_by
    if author is not None and author.is_active:
        notify(author, "resource_review", f"{title}: {resource.title}", url=resource_url(resource.id),
               body=body, subject_type=KIND, subject_id=resource.id)


def delete_resource(actor: Any, resource: Resource) -> None:
    """Remove the resource, its versions and links; the files go once the deletion commits."""
    check_access("resources.delete_resource", actor, resource)
    for key in db.session.scalars(
        select(ResourceFile.storage_key).where(ResourceFile.resource_id == resource.id)
    ):
        storage.delete_after_commit(key)
    if actor is not None and actor.id != resource.created_by_id:
        audit(actor, "resources.resource.delete", resource, title=resource.title)
    fulltext.remove_entry(KIND, resource.id)
    totals.remove_resource(resource.id)
    totals.uncount_shared(resource)
    db.session.delete(resource)
    db.session.flush()


def record_download(file: Any, user: Any = None, *, day: dt.date | None = None) -> None:
    """Count in the database (no read-modify-write, so parallel downloads all count), and keep a
    record without anything personal (``ResourceDownload``: the day, and for a member their
    organisation's municipality and type) for downloads per municipality and period.

    ``file`` is a ``ResourceFile`` or a ``download_info`` row (anything with id and resource_id).
    """
    organisation = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    db.session.execute(
        insert(ResourceDownload).values(
            resource_id=file.resource_id, day=day or utcnow().astimezone(STOCKHOLM).date(),
            municipality_code=getattr(organisation, "municipality_code", None),
            organisation_type=str(organisation.type) if organisation is not None else None)
        .execution_options(cache_neutral=True)
    )
    db.session.execute(
        update(ResourceFile).where(ResourceFile.id == file.id)
        .values(download_count=ResourceFile.download_count + 1)
        # A counter no cached page waits for (network/cache.py): lists show it within a minute.
        .execution_options(synchronize_session=False, cache_neutral=True)
    )
    counted = db.session.execute(
        update(Resource).where(Resource.id == file.resource_id)
        .values(download_count=Resource.download_count + 1)
        .execution_options(synchronize_session=False, cache_neutral=True)
    ).rowcount
    totals.add_downloads(counted)  # downloads so far, for the programme overview


def create_uploaded_resource(actor: Any, upload: Upload, *, visibility: str,
                             group_id: int | None, type: str = ResourceType.OVRIGT) -> Resource:
    """One uploaded file as a resource of its own, titled by its (cleaned) name."""
    title = filetypes.safe_filename(upload.filename)
    return create_resource(actor, title=title, type=str(type), visibility=str(visibility),
                           group_id=group_id, uploads=[upload])


def upload_limit_text() -> str:
    """The largest accepted file in the reader's language ("100 MB"), for the forms' hints."""
    return format_filesize(current_app.config["MAX_UPLOAD_BYTES"])


def create_generated_resource(actor: Any, *, title: str, filename: str, content: bytes,
                              content_type: str, visibility: str, group_id: int | None,
                              type: str = ResourceType.OVRIGT, summary: str = "") -> Resource:
    """A server-made file (chat transcript, report) stored and checked like any upload."""
    hint = "csv" if content_type.split(";")[0].strip() == "text/csv" else None
    return create_resource(
        actor, title=title, type=str(type), visibility=str(visibility), summary=summary,
        group_id=group_id, uploads=[Upload(io.BytesIO(content), filename)], _kind_hint=hint,
    )


# -- search index ------------------------------------------------------------------------------


def reindex(resource: Resource) -> None:
    """Index title, metadata and the current version's text with the effective visibility."""
    with force_locale("sv"):  # the index is Swedish whoever made the change
        _reindex(resource)


def _reindex(resource: Resource) -> None:
    current = resource.current_version
    parts = [resource.summary, resource.type_label]
    parts += [str(THEMES[t]) for t in resource.themes if t in THEMES]
    if resource.organisation is not None:
        parts.append(resource.organisation.name)
    parts += [m.name for m in resource.municipalities] + [a.name for a in resource.areas]
    if current is not None:
        parts += [f.filename for f in current.files]
        parts += [f.extracted_text for f in current.files]
    body = "\n".join(part for part in parts if part)[:MAX_INDEXED_TEXT]
    fulltext.index_entry(
        KIND, resource.id, title=resource.title, body=body, url=resource_url(resource.id),
        visibility=resource.effective_visibility, group_id=resource.group_id,
        created_at=resource.created_at, themes=resource.themes,
        municipalities=[m.code for m in resource.municipalities],
    )


# -- links from other features -----------------------------------------------------------------


def register_link_kind(app, kind: str, resolver: LinkResolver) -> None:
    app.extensions.setdefault("resource_link_kinds", {})[kind] = resolver


def attach(actor: Any, resource: Resource, kind: str, object_id: int) -> ResourceLink:
    """Idempotent. The caller checks that ``actor`` may change its own object."""
    check_access("resources.attach", actor, resource)
    link = db.session.scalar(select(ResourceLink).where(
        ResourceLink.resource_id == resource.id, ResourceLink.kind == kind,
        ResourceLink.object_id == object_id,
    ))
    if link is None:
        link = ResourceLink(resource_id=resource.id, kind=kind, object_id=object_id,
                            created_by_id=getattr(actor, "id", None))
        db.session.add(link)
        db.session.flush()
    return link


def detach(actor: Any, resource: Resource, kind: str, object_id: int) -> bool:
    check_access("resources.detach", actor, resource)
    result = db.session.execute(delete(ResourceLink).where(
        ResourceLink.resource_id == resource.id, ResourceLink.kind == kind,
        ResourceLink.object_id == object_id,
    ))
    return bool(result.rowcount)


def detach_all(kind: str, object_id: int) -> None:
    db.session.execute(delete(ResourceLink).where(
        ResourceLink.kind == kind, ResourceLink.object_id == object_id
    ))


def resources_for(user: Any, kind: str, object_id: int) -> list[Resource]:
    return list(db.session.scalars(
        select(Resource)
        .join(ResourceLink, ResourceLink.resource_id == Resource.id)
        .where(ResourceLink.kind == kind, ResourceLink.object_id == object_id,
               visible_resources_filter(user))
        .order_by(Resource.created_at.desc(), Resource.id.desc())
        .options(selectinload(Resource.versions).selectinload(ResourceVersion.files))
    ))


@dataclass
class AttachedFile:
    id: int
    filename: str
    kind: str
    content_type: str
    size: int

    @property
    def kind_label(self) -> str:
        found = filetypes.KINDS.get(self.kind)
        return str(found.label) if found else self.content_type


@dataclass
class Attachment:
    """A linked resource as a reader sees it beside another feature's object."""

    resource_id: int
    title: str
    type: str
    external_url: str | None
    files: list[AttachedFile]

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(ResourceType(self.type), self.type))


def any_links(kind: str, object_ids: Iterable[int]) -> bool:
    """Whether any resource is linked to any of these objects, whoever may see it."""
    ids = sorted(set(object_ids))
    return bool(ids) and db.session.scalar(
        select(ResourceLink.id).where(ResourceLink.kind == kind, ResourceLink.object_id.in_(ids))
        .limit(1)) is not None


def attachments_for(user: Any, kind: str, object_ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """The resources linked to each object that ``user`` may see, oldest link first, with their
    current version's files: one query however many objects and files."""
    ids = sorted(set(object_ids))
    if not ids:
        return {}
    rows = db.session.execute(_attachments_in_scope(permissions.visibility_scope(user)),
                              {"kind": kind, "ids": ids}).all()
    found: dict[int, list[Attachment]] = {}
    for row in rows:
        attached = found.setdefault(row.object_id, [])
        if not attached or attached[-1].resource_id != row.id:
            attached.append(Attachment(row.id, row.title, row.type, row.external_url, []))
        if row.file_id is not None:
            attached[-1].files.append(AttachedFile(row.file_id, row.filename, row.kind,
                                                   row.content_type, row.size))
    return found


@lru_cache(maxsize=256)
def _attachments_in_scope(scope: tuple) -> Any:
    """``attachments_for``'s statement for every reader of one visibility scope, built once
    (statements are immutable; the kind and the ids are parameters)."""
    newest = (select(func.max(ResourceVersion.number))
              .where(ResourceVersion.resource_id == Resource.id).correlate(Resource)
              .scalar_subquery())
    return (
        select(ResourceLink.object_id, Resource.id, Resource.title, Resource.type,
               Resource.external_url, ResourceFile.id.label("file_id"), ResourceFile.filename,
               ResourceFile.kind, ResourceFile.content_type, ResourceFile.size)
        .join(Resource, Resource.id == ResourceLink.resource_id)
        .outerjoin(ResourceVersion, and_(ResourceVersion.resource_id == Resource.id,
                                         ResourceVersion.number == newest))
        .outerjoin(ResourceFile, ResourceFile.version_id == ResourceVersion.id)
        .where(ResourceLink.kind == bindparam("kind"),
               ResourceLink.object_id.in_(bindparam("ids", expanding=True)),
               scoped_resources_filter(scope))
        .order_by(ResourceLink.object_id, ResourceLink.created_at, ResourceLink.id,
                  ResourceFile.id))


def usages(user: Any, resource: Resource) -> list[tuple[str, str]]:
    """(title, url) of the things this resource is used in that ``user`` may see."""
    resolvers = current_app.extensions.get("resource_link_kinds", {})
    found = []
    for link in sorted(resource.links, key=lambda link: link.created_at):
        resolver = resolvers.get(link.kind)
        shown = resolver(user, link.object_id) if resolver else None
        if shown:
            found.append(shown)
    return found


# -- finding -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    q: str = ""
    theme: str = ""
    type: str = ""
    organisation_id: int | None = None
    municipality: str = ""
    level: str = ""
    year: int | None = None
    sort: str = "newest"  # newest | downloads | relevance


def _current_level_matches(level: str):
    newest_year = (
        select(func.max(AreaClassification.year))
        .where(AreaClassification.area_id == ResourceArea.area_id)
        .correlate(ResourceArea)
        .scalar_subquery()
    )
    return exists().where(
        ResourceArea.resource_id == Resource.id,
        AreaClassification.area_id == ResourceArea.area_id,
        AreaClassification.level == level,
        AreaClassification.year == newest_year,
    )


def browse_query(user: Any, filters: Filters):
    """The library's list: the resources ``user`` may see that match ``filters``, in order."""
    return browse_ids(user, filters, select(Resource)).options(
        selectinload(Resource.theme_rows), selectinload(Resource.organisation),
        selectinload(Resource.municipalities),
        selectinload(Resource.versions).selectinload(ResourceVersion.files),
    )


def browse_ids(user: Any, filters: Filters, stmt: Any = None):
    """``browse_query``'s filter and order over ``stmt`` (by default the resource ids alone)."""
    if not filters.q:
        return browse_in_scope(permissions.visibility_scope(user), filters, stmt)
    stmt = _narrowed(visible_resources_filter(user), filters, stmt)
    matches = fulltext.matching_object_ids(user, filters.q, KIND)
    if matches is None:
        return stmt.where(Resource.id.is_(None))
    stmt = stmt.join(matches, matches.c.object_id == Resource.id)
    return _ordered(stmt, filters.sort, matches.c.rank)


def browse_in_scope(scope: tuple, filters: Filters, stmt: Any = None):
    """``browse_ids`` without a search, for every user of a ``permissions.visibility_scope``: the
    statement depends on the scope alone, so it may be built once and reused."""
    if filters.q:
        raise ValueError("a search depends on the user, not only on the scope: use browse_ids")
    return _ordered(_narrowed(scoped_resources_filter(scope), filters, stmt), filters.sort, None)


def _narrowed(visible: Any, filters: Filters, stmt: Any):
    stmt = (select(Resource.id) if stmt is None else stmt).where(visible)
    if filters.theme:
        stmt = stmt.where(exists().where(and_(ResourceTheme.resource_id == Resource.id,
                                              ResourceTheme.theme == filters.theme)))
    if filters.type:
        stmt = stmt.where(Resource.type == filters.type)
    if filters.organisation_id:
        stmt = stmt.where(Resource.organisation_id == filters.organisation_id)
    if filters.municipality:
        stmt = stmt.where(exists().where(and_(
            ResourceMunicipality.resource_id == Resource.id,
            ResourceMunicipality.municipality_code == filters.municipality,
        )))
    if filters.level:
        stmt = stmt.where(_current_level_matches(filters.level))
    if filters.year:
        stmt = stmt.where(Resource.year == filters.year)
    return stmt


def _ordered(stmt: Any, sort: str, rank: Any):
    if sort == "downloads":
        return stmt.order_by(Resource.download_count.desc(), Resource.created_at.desc())
    if sort == "relevance" and rank is not None:
        return stmt.order_by(rank, Resource.created_at.desc())
    return stmt.order_by(Resource.created_at.desc(), Resource.id.desc())


# The library's total is counted up to this many and shown as "över 1 000": counting every
# visible resource on each view grows with the library (issue 22). The count follows the list's
# own order, so it walks the index the page is read through and stops at the cap.
COUNT_CAP = 1_000


def browse(user: Any, filters: Filters, page: int = 1, per_page: int = 20,
           scope: tuple | None = None):
    """A page of the library's list. The list shows each resource's themes and organisation
    only: loading its versions, files and municipalities too (as ``browse_query`` does for the
    catalogue) was more than half of the page's time. Without a search, ``scope`` (a visibility
    or ``listing.listing_scope`` no wider than the user's) filters instead of the user."""
    if filters.q:  # a search reads the reader's own rights on each match: built afresh
        stmt, capped = _browse_statements(browse_ids(user, filters, select(Resource)))
    else:  # else the same statements for every reader of one visibility scope
        stmt, capped = _browse_in_scope(scope or permissions.visibility_scope(user), filters)
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=False)
    total = db.session.scalar(capped) or 0
    result.total, result.capped, result.cap = min(total, COUNT_CAP), total > COUNT_CAP, COUNT_CAP
    return result


def _browse_statements(listed: Any) -> tuple[Any, Any]:
    """The list's page statement and its capped count, from the filtered list."""
    # The organisation in the same query (one per row at most); the themes in a second one.
    stmt = listed.options(selectinload(Resource.theme_rows), joinedload(Resource.organisation))
    capped = select(func.count()).select_from(
        listed.with_only_columns(Resource.id).limit(COUNT_CAP + 1).subquery())
    return stmt, capped


@lru_cache(maxsize=256)
def _browse_in_scope(scope: tuple, filters: Filters) -> tuple[Any, Any]:
    return _browse_statements(browse_in_scope(scope, filters, select(Resource)))


def newest(user: Any, limit: int = 5, scope: tuple | None = None) -> list[Resource]:
    """The newest resources ``user`` (or every reader of ``scope``, no wider) may see."""
    return list(db.session.scalars(_newest(scope or permissions.visibility_scope(user), limit)))


@lru_cache(maxsize=256)
def _newest(scope: tuple, limit: int) -> Any:
    """The start page's newest resources for every reader of one visibility scope."""
    return (select(Resource).where(scoped_resources_filter(scope))
            .order_by(Resource.created_at.desc(), Resource.id.desc()).limit(limit))


def public_feed_entries(limit: int = 50) -> list[Resource]:
    """Newest public (approved) resources, for visitors' Atom feed."""
    return list(db.session.scalars(
        select(Resource).where(Resource.effective_visibility == permissions.Visibility.PUBLIC.value)
        .order_by(Resource.published_at.desc(), Resource.id.desc()).limit(limit)
        .options(selectinload(Resource.created_by), selectinload(Resource.organisation))
    ))


def review_queue(user: Any) -> list[Resource]:
    return list(db.session.scalars(
        select(Resource).where(review_queue_filter(user)).order_by(Resource.updated_at)
        .options(selectinload(Resource.group), selectinload(Resource.created_by))
    ))


# The year filter offers at most this many years (the newest ones).
YEARS_SHOWN = 60


def years_in_use(user: Any, scope: tuple | None = None) -> list[int]:
    """Every year from the newest visible resource's back to the oldest's, newest first: two
    lookups at the ends of the year index, not a DISTINCT over the whole library (issue 22). A
    year between them without resources simply finds none. ``scope`` as in ``browse``."""
    visible = select(Resource.year).where(
        scoped_resources_filter(scope or permissions.visibility_scope(user)))
    newest_year, oldest_year = db.session.execute(select(
        visible.order_by(Resource.year.desc()).limit(1).scalar_subquery(),
        visible.order_by(Resource.year).limit(1).scalar_subquery())).one()
    if newest_year is None:
        return []
    return list(range(newest_year, max(oldest_year, newest_year - YEARS_SHOWN + 1) - 1, -1))


def picker_choices(user: Any, limit: int = 300) -> list[tuple[int, str]]:
    """(id, label) of resources ``user`` may see, newest first, for a select field."""
    rows = db.session.execute(
        select(Resource.id, Resource.title, Resource.type).where(visible_resources_filter(user))
        .order_by(Resource.created_at.desc(), Resource.id.desc()).limit(limit)
    ).all()
    return [(row.id, f"{row.title} ({TYPE_LABELS[ResourceType(row.type)]})") for row in rows]


def get_visible(user: Any, resource_id: int) -> Resource | None:
    from network.resources.permissions import can_view_resource

    resource = db.session.get(Resource, resource_id)
    return resource if resource is not None and can_view_resource(user, resource) else None


def download_info(file_id: int):
    """One light row with what a download needs (file facts + the resource's access), or None.

    Downloads and conditional GETs are the hottest path; a single Core query keeps them cheap.
    """
    return db.session.execute(
        select(ResourceFile.id, ResourceFile.resource_id, ResourceFile.storage_key,
               ResourceFile.filename, ResourceFile.content_type, ResourceFile.sha256,
               ResourceFile.created_at, Resource.effective_visibility, Resource.group_id)
        .join(Resource, Resource.id == ResourceFile.resource_id)
        .where(ResourceFile.id == file_id)
    ).first()


# -- numbers for the programme report (follow-up reads these) ----------------------------------


def stats(since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, int]:
    """Resources shared and downloads in [since, until] (downloads by their Stockholm day), and
    downloads so far (the counters, which began before downloads were recorded by day: their
    running total, totals.py). Resources shared in whole Stockholm days (the overview's periods)
    are read from their running totals; other periods count the resources."""
    days = whole_days(since, until)
    if days is not None:
        shared = totals.shared_in(days)
    else:
        counting = select(func.count(Resource.id))
        if since is not None:
            counting = counting.where(Resource.created_at >= since)
        if until is not None:
            counting = counting.where(Resource.created_at <= until)
        shared = db.session.scalar(counting) or 0
    dated = select(func.count(ResourceDownload.id))
    if since is not None:
        dated = dated.where(ResourceDownload.day >= since.astimezone(STOCKHOLM).date())
    if until is not None:
        dated = dated.where(ResourceDownload.day <= until.astimezone(STOCKHOLM).date())
    return {"resources_shared": shared,
            "downloads": db.session.scalar(dated) or 0,
            "downloads_total": totals.downloads_total()}
