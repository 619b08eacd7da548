"""What the library keeps about a person, for their data export (``accounts.privacy``).

Every file they uploaded, in the library or as a forum (or other) attachment — attachments are
library resources owned by the poster — with a download link and where it is used, and the
resources they added. Nothing is erased with the account: documents others rely on stay, shown
as added by "Tidigare medlem" (the privacy page says so).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from network.extensions import db
from network.resources.models import Resource, ResourceFile, ResourceLink, ResourceVersion


def _absolute(endpoint: str, **values: Any) -> str:
    # Built from PUBLIC_BASE_URL like every emailed link, so the export reads the same from the CLI.
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["PUBLIC_BASE_URL"] + path


def export_personal_data(user: Any) -> dict:
    resources = db.session.scalars(select(Resource).where(Resource.created_by_id == user.id)
                                   .order_by(Resource.id)).all()
    files = db.session.execute(
        select(ResourceFile, ResourceVersion.number, ResourceVersion.created_at, Resource.title)
        .join(ResourceVersion, ResourceVersion.id == ResourceFile.version_id)
        .join(Resource, Resource.id == ResourceFile.resource_id)
        .where(ResourceVersion.created_by_id == user.id).order_by(ResourceFile.id)).all()
    used_in: dict[int, list[dict]] = {}
    resource_ids = {f.resource_id for f, *_rest in files}
    if resource_ids:
        for link in db.session.scalars(select(ResourceLink).where(
                ResourceLink.resource_id.in_(resource_ids)).order_by(ResourceLink.id)):
            used_in.setdefault(link.resource_id, []).append(
                {"kind": link.kind, "id": link.object_id})
    return {
        "resources_added": [
            {"id": r.id, "title": r.title, "summary": r.summary, "type": str(r.type),
             "visibility": r.visibility, "created_at": r.created_at,
             "url": _absolute("resources.detail", resource_id=r.id)} for r in resources],
        "files_uploaded": [
            {"id": f.id, "filename": f.filename, "resource_id": f.resource_id,
             "resource": title, "version": number, "content_type": f.content_type,
             "size": f.size, "sha256": f.sha256, "uploaded_at": uploaded_at,
             "attached_to": used_in.get(f.resource_id, []),
             "download_url": _absolute("resources.download", file_id=f.id, name=f.filename)}
            for f, number, uploaded_at, title in files],
    }


def keep_on_erasure(user: Any) -> None:
    """Documents and attachments stay (see the module docstring)."""
