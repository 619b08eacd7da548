"""Server CPU per request of the hot pages rendered without any cache, in this process.

``python -m bench.profile_pages [--profile PATH] [-n N]``: builds a demo network in a temporary
SQLite database (``seed-demo``), adds a member in five groups with 99 unread notifications and a
topic of 20 posts, then renders each page N times with ``PAGE_CACHE=0`` through the WSGI app
(no network, no server) and prints the mean CPU time per request beside a hello-world Flask
app measured the same way. ``--profile`` prints the top of a cProfile for one page.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import tempfile
import time
from pathlib import Path

from flask import Flask

PAGES = {
    "chrome only": ("/tillganglighet", "member"),
    "start page": ("/", "member"),
    "topic page": ("/forum/t/{topic}", "member"),
    "experience bank": ("/erfarenhetsbank", None),
    "library index": ("/bibliotek/", "member"),
    "forum index": ("/forum/", "member"),
    "events index": ("/evenemang/", "member"),
    "month view": ("/evenemang/manad", "member"),
    "resource page": ("/bibliotek/{resource}", "member"),
    "group page": ("/grupper/{group}", "member"),
}
# Issue 14's targets: ms of server CPU per request, uncached.
TARGETS = {"chrome only": 0.5, "start page": 2.5, "topic page": 2.5, "experience bank": 2.0,
           "library index": 2.0}  # the others: no target, for comparison


def build(instance_dir: Path):
    from network import create_app
    from network.extensions import db

    os.environ.update({"NETWORK_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
                       "DATABASE_URL": f"sqlite:///{instance_dir / 'network.sqlite3'}",
                       "NETWORK_INSTANCE_DIR": str(instance_dir), "PAGE_CACHE": "0",
                       "STORAGE_DIR": str(instance_dir / "storage"),
                       "SESSION_COOKIE_SECURE": "0", "PUBLIC_BASE_URL": "https://bench.example.se"})
    app = create_app()
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["seed-demo", "--force"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {result.output}")
    with app.app_context():
        user_id, topic_id = _member_with_unread()
        db.session.remove()
    return app, user_id, topic_id


def _member_with_unread() -> tuple[int, int]:
    from sqlalchemy import select

    from bench.forum_topic import create_topic
    from network.accounts import services
    from network.accounts.models import Group, GroupRole
    from network.extensions import db
    from network.forums.models import Topic
    from network.notifications.services import notify

    topic_id = create_topic()
    user = services.create_user("profil@example.se", None, "Profil Mätsson")
    for group in db.session.scalars(select(Group).order_by(Group.id).limit(5)):
        services.add_member(None, group, user, GroupRole.MEMBER)
    user.email_notifications = "never"
    topic = db.session.get(Topic, topic_id)
    for n in range(99):
        notify(user, "forum.post", f"Nytt svar {n}", url=f"/forum/t/{topic_id}",
               subject_type="forum_topic", subject_id=topic.id)
    db.session.commit()
    return user.id, topic_id


def _ids() -> dict[str, int]:
    from sqlalchemy import select

    from network.accounts.models import Group
    from network.extensions import db
    from network.resources.models import Resource

    ids = {"resource": db.session.scalar(select(Resource.id).where(
               Resource.effective_visibility == "members").limit(1)),
           "group": db.session.scalar(select(Group.id).order_by(Group.id).limit(1))}
    db.session.remove()
    return ids


QUERIES = [0]


def _count_query(*_args) -> None:
    QUERIES[0] += 1


def cpu_per_request(client, url: str, n: int) -> tuple[float, float]:
    """Mean ms of CPU and mean number of SQL statements per request."""
    client.get(url)  # warm: compiled templates and statements
    QUERIES[0] = 0
    start = time.process_time()
    for _ in range(n):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return (time.process_time() - start) * 1000 / n, QUERIES[0] / n


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_pages", description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="requests per page")
    parser.add_argument("--profile", choices=sorted(PAGES), help="print a cProfile of this page")
    args = parser.parse_args()
    hello = Flask("hello")
    hello.get("/")(lambda: "Hello, World!")
    hello_ms = cpu_per_request(hello.test_client(), "/", args.n * 5)[0]
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        app, user_id, topic_id = build(Path(tmp))
        from sqlalchemy import event

        from network.extensions import db

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", _count_query)
        member = app.test_client()
        with member.session_transaction() as session:
            from network.accounts.models import User
            from network.extensions import db

            with app.app_context():
                session["_user_id"] = db.session.get(User, user_id).get_id()
                db.session.commit()  # the server-side session the key names
                db.session.remove()
        visitor = app.test_client()
        with app.app_context():
            extra = _ids()
        print(f"{'page':<18}{'cpu ms/req':>11}{'target':>8}{'queries':>9}"
              f"  (hello-world {hello_ms:.3f} ms)")
        for name, (path, who) in PAGES.items():
            client = member if who else visitor
            url = path.format(topic=topic_id, **extra)
            if args.profile == name:
                profiler = cProfile.Profile()
                profiler.enable()
                cpu_per_request(client, url, args.n)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(120)
            ms, queries = cpu_per_request(client, url, args.n)
            target = f"{TARGETS[name]:.1f}" if name in TARGETS else "-"
            print(f"{name:<18}{ms:>11.3f}{target:>8}{queries:>9.1f}")


if __name__ == "__main__":
    main()
