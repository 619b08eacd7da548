"""The text of uploaded files, read by a background job after the upload has been answered.

An upload stores its files and commits; ``queue_extraction`` has asked for one
``resources.extract`` job per file with text in it (``network/jobs.py``: the worker when scaled,
else the web process once the response is sent). The job reads the text in the killable
extraction process (``extract.py``), stores it and re-indexes the resource for search. Until
then the file's ``extracted_at`` is empty and the resource page says its text is not yet
searchable. A file (or its resource) deleted before its job ran is reported and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app

from network import jobs
from network.db import utcnow
from network.extensions import db
from network.resources import extract, storage
from network.resources.models import ResourceFile

JOB = "resources.extract"


def has_text(kind: str) -> bool:
    """Whether files of ``kind`` have text to read for search (PDF, office, text, CSV)."""
    return kind in extract.EXTRACTABLE


def queue_extraction(files: Iterable[ResourceFile]) -> None:
    for file in files:
        if file.extracted_at is None:
            jobs.enqueue(JOB, file_id=file.id)


def extract_file(file_id: int) -> None:
    """The job: read one file's text, keep it, and put it in the search index."""
    from network.resources.services import reindex

    file = db.session.get(ResourceFile, file_id)
    if file is None:
        raise jobs.Gone(f"resource file {file_id} no longer exists")
    if file.extracted_at is not None:
        return  # a retry after the text was stored, or a second job for the same file
    path = storage.path_for(file.storage_key)
    if not path.exists():
        raise jobs.Gone(f"the stored file of resource file {file_id} no longer exists")
    file.extracted_text = extract.extract_text(
        path, file.kind, timeout=current_app.config["RESOURCE_EXTRACT_TIMEOUT"])
    file.extracted_at = utcnow()
    db.session.flush()
    resource = file.resource
    if resource.current_version is not None and resource.current_version.id == file.version_id:
        reindex(resource)


def init_app(app: Flask) -> None:
    jobs.register(app, JOB, extract_file)
