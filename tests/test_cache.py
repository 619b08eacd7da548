"""The data generation: raised by every committed write, from any session, shared by processes."""

import pytest
from sqlalchemy import text, update

from network import cache
from network.accounts.models import User
from tests.conftest import namespaced


def test_a_committed_write_raises_the_generation(db, make):
    before = cache.generation()
    make.user()
    db.session.commit()
    assert cache.generation() > before


def test_reading_and_committing_nothing_keeps_the_generation(db, make):
    make.user()
    db.session.commit()
    before = cache.generation()
    db.session.scalars(db.select(User)).all()
    db.session.commit()
    assert cache.generation() == before


def test_a_rolled_back_write_keeps_the_generation(db, make):
    before = cache.generation()
    make.user()
    db.session.rollback()
    db.session.commit()
    assert cache.generation() == before


def test_bulk_statements_and_sql_text_count_as_writes(db, make):
    user = make.user()
    db.session.commit()
    before = cache.generation()
    db.session.execute(update(User).where(User.id == user.id).values(title="Samordnare"))
    db.session.commit()
    middle = cache.generation()
    db.session.execute(text("UPDATE users SET title = 'Utvecklare' WHERE id = :id"), {"id": user.id})
    db.session.commit()
    assert before < middle < cache.generation()


def test_a_write_marked_cache_neutral_keeps_the_generation(db, make):
    user = make.user()
    db.session.commit()
    before = cache.generation()
    db.session.execute(update(User).where(User.id == user.id).values(title="x")
                       .execution_options(cache_neutral=True))
    db.session.commit()
    assert cache.generation() == before


def test_values_live_only_at_their_generation_and_within_their_ttl(monkeypatch):
    store = cache.Cache(cache.LocalGeneration(), max_entries=2)
    store.set("a", 1, generation=5, ttl=60)
    assert store.get("a", 5) == 1
    assert store.get("a", 6) is None
    assert store.get("a", 5) is None  # a stale entry is dropped, not kept for later
    store.set("b", 2, generation=5, ttl=-1)
    assert store.get("b", 5) is None
    store.set("c", 3, generation=None, ttl=60)  # generation unknown: nothing is stored
    assert store.get("c", None) is None


def test_the_cache_holds_at_most_its_size():
    store = cache.Cache(cache.LocalGeneration(), max_entries=2)
    for key in "abc":
        store.set(key, key, generation=1, ttl=60)
    assert [store.get(key, 1) for key in "abc"] == [None, "b", "c"]


def test_processes_on_one_machine_share_the_file_generation(tmp_path):
    # Two mappings of one file behave as two gunicorn workers would.
    first = cache.FileGeneration(tmp_path / "generation")
    second = cache.FileGeneration(tmp_path / "generation")
    assert first.value() == second.value() == 0
    first.bump()
    second.bump()
    assert first.value() == second.value() == 2


def test_the_file_generation_survives_a_restart(tmp_path):
    cache.FileGeneration(tmp_path / "generation").bump()
    assert cache.FileGeneration(tmp_path / "generation").value() == 1


def test_a_write_in_another_process_is_seen(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "generation"
    mine = cache.FileGeneration(path)
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from network.cache import FileGeneration; "
                    "FileGeneration(Path(sys.argv[1])).bump()", str(path)], check=True)
    assert mine.value() == 1


def test_the_redis_generation_is_shared_and_unknown_when_redis_is_down(redis_url):
    first = cache.RedisGeneration(redis_url, namespaced("cache:generation"))
    second = cache.RedisGeneration(redis_url, namespaced("cache:generation"))
    start = first.value()
    second.bump()
    assert first.value() == start + 1
    down = cache.RedisGeneration("redis://127.0.0.1:1/0", namespaced("cache:generation"))
    assert down.value() is None
    down.bump()  # logged, never raised: a cache outage is not an error page


@pytest.mark.parametrize("setting", ["file", "local"])
def test_the_app_picks_its_generation_store_from_the_configuration(app_config, tmp_path, setting):
    from network import create_app

    config = dict(app_config)
    if setting == "file":
        config["CACHE_GENERATION_FILE"] = str(tmp_path / "gen")
    app = create_app(config)
    kind = cache.FileGeneration if setting == "file" else cache.LocalGeneration
    assert isinstance(app.extensions["network_cache"].generation, kind)


def test_with_redis_the_apps_writes_raise_the_shared_generation(app_config, redis_url):
    from network import create_app
    from network.extensions import db

    app = create_app({**app_config, "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": namespaced("cache-app")})
    with app.app_context():
        generation = app.extensions["network_cache"].generation
        assert isinstance(generation, cache.RedisGeneration)
        before = generation.value()
        from network.accounts import services

        services.create_user("redis.test@example.se", None, "Redis Testsson")
        db.session.commit()
        assert generation.value() == before + 1
        db.session.remove()
        db.engine.dispose()


def test_chat_messages_leave_cached_pages_alone(db, make):
    from network.chat import services as chat

    member, facilitator = make.user(), make.user()
    group = make.group(members=[member], facilitators=[facilitator])
    room = chat.create_room(facilitator, group, "Workshop")
    db.session.commit()
    before = cache.generation()
    chat.post_message(member, room, "Hej alla!", "6f0d2b7e-0000-4000-8000-000000000001")
    db.session.commit()
    assert cache.generation() == before


@pytest.mark.parametrize("write", ["new", "read"])
def test_notifications_raise_only_their_members_badge_scope(db, make, write):
    """A notification or its reading is personal (nobody else's scope, not the data) and no
    cached page holds it (the badge is filled into each response): the member's pages stay."""
    from network.notifications.services import mark_read, notify

    anna, bo = make.user(), make.user()
    notify(anna, "forum.post", "Nytt svar")
    db.session.commit()
    store = cache.cache().generation
    names = (f"notifications:{anna.id}", f"member:{anna.id}", f"member:{bo.id}",
             cache.STRUCTURAL)
    before = (cache.generation(), store.scope_values(names))
    if write == "new":
        notify(anna, "forum.post", "Ett svar till")
    else:
        mark_read(anna)
    db.session.commit()
    assert cache.generation() == before[0]
    assert store.scope_values(names) == (before[1][0] + 1, *before[1][1:])


def test_a_personal_write_committed_with_a_shared_one_raises_the_data_generation(db, make):
    from network.notifications.services import notify

    anna = make.user()
    db.session.commit()
    before = cache.generation()
    notify(anna, "forum.post", "Nytt svar")
    anna.title = "Samordnare"
    db.session.commit()
    assert cache.generation() == before + 1


def test_a_login_keeps_the_generation(db, make):
    from network.accounts.services import authenticate
    from tests.factories import DEFAULT_PASSWORD

    anna = make.user(email="anna.login@example.se")
    db.session.commit()
    before = cache.generation()
    assert authenticate("anna.login@example.se", DEFAULT_PASSWORD) == anna
    db.session.commit()
    assert cache.generation() == before and anna.last_login_at is not None


@pytest.mark.parametrize("store", ["local", "file", "redis"])
def test_scope_generations_are_per_scope_and_shared_between_processes(store, tmp_path, request):
    if store == "local":
        first = second = cache.LocalGeneration()
    elif store == "file":
        first = cache.FileGeneration(tmp_path / "generation")
        second = cache.FileGeneration(tmp_path / "generation")
    else:
        url = request.getfixturevalue("redis_url")
        first = cache.RedisGeneration(url, namespaced("cache:personal"))
        second = cache.RedisGeneration(url, namespaced("cache:personal"))
    names = ("member:7", "member:8", "forums:topic:3")
    start = (second.value(), *second.scope_values(names))
    first.bump_scopes({"member:7"}, data=False)
    first.bump_scopes({"forums:topic:3"}, data=True)
    assert (second.value(), *second.scope_values(names)) == (
        start[0] + 1, start[1] + 1, start[2], start[3] + 1)


def test_a_file_generation_of_the_older_single_counter_size_is_extended(tmp_path):
    path = tmp_path / "generation"
    path.write_bytes((5).to_bytes(8, "little"))
    store = cache.FileGeneration(path)
    assert store.value() == 5 and store.scope_values(["member:3"]) == (0,)


def _access_bumps(db, action):
    """Which access scopes ``action`` raised when committed."""
    names = tuple(cache.access_scope(feature) for feature in ("forums", "events", "resources"))
    store = cache.cache().generation
    before = store.scope_values(names)
    action()
    db.session.commit()
    after = store.scope_values(names)
    return {name for name, old, new in zip(names, before, after, strict=True) if new != old}


def test_content_writes_leave_the_access_scopes_alone(db, make):
    from network.forums import services as forums
    from network.resources import services as resources

    admin, member = make.admin(), make.user()
    group = make.group(members=[member])
    category = forums.create_category(admin, "Trygghet", group=group)
    topic = forums.create_topic(admin, category, "Samverkan", "Första")[0].topic
    db.session.commit()
    assert _access_bumps(db, lambda: forums.reply(member, topic, "Ett svar")) == set()
    assert _access_bumps(db, lambda: forums.create_topic(member, category, "Nytt", "Text")) == set()
    assert _access_bumps(db, lambda: resources.create_resource(
        member, title="Lägesbild", type="metodstod", visibility="members",
        external_url="https://example.se/")) == set()


def test_what_changes_who_may_see_raises_its_features_access_scope(db, make):
    from network.forums import services as forums
    from network.resources import services as resources

    admin = make.admin()
    group, other = make.group(), make.group()
    category = forums.create_category(admin, "Trygghet", group=group)
    elsewhere = forums.create_category(admin, "Annat", group=other)
    topic = forums.create_topic(admin, category, "Samverkan", "Första")[0].topic
    resource = resources.create_resource(admin, title="Plan", type="metodstod",
                                         visibility="members", external_url="https://example.se/")
    db.session.commit()
    assert _access_bumps(db, lambda: forums.move_topic(admin, topic, elsewhere)) == {"forums:access"}

    def group_only():
        category.visibility = "group"

    assert _access_bumps(db, group_only) == {"forums:access"}
    assert _access_bumps(db, lambda: resources.delete_resource(admin, resource)) == {"resources:access"}


def test_a_registration_renews_its_members_pages_and_badge_alone(db, make):
    """It opens a workshop's registered room (and the mentions in it) to that member only."""
    import datetime as dt

    from network.events import registrations
    from network.events import services as events
    from network.events.models import EventType

    admin, member, other = make.admin(), make.user(), make.user()
    group = make.group(members=[member, other], facilitators=[admin])
    start = dt.datetime(2027, 3, 10, 13, 0)
    event = events.create_event(admin, events.EventData(
        type=EventType.WORKSHOP, group=group, title="Workshop", start=start,
        end=start + dt.timedelta(hours=2), all_day=False, visibility="members"), None)
    db.session.commit()
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
    store = cache.cache().generation
    names = [f"{kind}:{user.id}" for user in (member, other) for kind in ("member", "notifications")]
    for action in (lambda: registrations.register(member, event, now=now),
                   lambda: registrations.unregister(member, event)):
        before = store.scope_values(names)
        assert _access_bumps(db, action) == set()
        after = store.scope_values(names)
        assert [new - old for old, new in zip(before, after, strict=True)] == [1, 1, 0, 0]


def test_an_audited_change_raises_only_what_it_changed(db, make):
    from network.forums import services as forums

    admin = make.admin()
    group = make.group()
    db.session.commit()
    store = cache.cache().generation
    before = store.scope_values((cache.STRUCTURAL, "forums"))
    forums.create_category(admin, "Trygghet", group=group)  # writes an audit log entry too
    db.session.commit()
    after = store.scope_values((cache.STRUCTURAL, "forums"))
    assert after[0] == before[0] and after[1] == before[1] + 1


def test_reading_a_topic_leaves_the_readers_badge_counted(db, make):
    """A read position renews the reader's pages (``member:<id>``), not their badge's count,
    which depends on their notifications' own scope."""
    from network.forums import services as forums
    from network.notifications.services import mark_read, notify

    admin, member = make.admin(), make.user()
    group = make.group(members=[member])
    topic = forums.create_topic(admin, forums.create_category(admin, "Trygghet", group=group),
                                "Samverkan", "Första")[0].topic
    db.session.commit()
    store = cache.cache().generation
    names = (f"member:{member.id}", cache.personal_scope("notifications", member.id))
    before = store.scope_values(names)
    forums.mark_read(member, topic, 1, None)
    db.session.commit()
    read = store.scope_values(names)
    assert read == (before[0] + 1, before[1])
    notify(member, "forum.post", "Nytt svar")
    db.session.commit()
    notified = store.scope_values(names)
    assert notified == (read[0], read[1] + 1)
    mark_read(member)
    db.session.commit()
    assert store.scope_values(names) == (notified[0], notified[1] + 1)
