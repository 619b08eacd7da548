"""Server-side sessions (network/accounts/sessions.py) and "Mina sessioner".

Every test runs against both stores: the database (embedded mode) and Redis (scaled mode).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import select

from network.accounts import sessions
from network.accounts.models import PasswordReset, UserSession
from network.db import utcnow
from network.permissions import AccessDenied
from tests.accounts.conftest import SESSION_STORES, post_login, use_session_store
from tests.factories import DEFAULT_PASSWORD

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def copy_cookies(source, target) -> None:
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


@pytest.fixture(params=SESSION_STORES)
def app_config(request, app_config):
    return use_session_store(request, app_config, request.param)


def rows(db, user):
    """The user's live sessions, whichever store keeps them."""
    return sessions.active_sessions(user)


def db_rows(db, user):
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)))


def test_a_copied_cookie_stops_working_after_logout(app, db, make, client):
    user = make.user()
    db.session.commit()
    assert post_login(client, user.email).status_code == 302
    thief = app.test_client()
    copy_cookies(client, thief)
    assert thief.get("/profil").status_code == 200  # the copy works while the session lives
    assert client.post("/logga-ut").status_code == 302
    response = thief.get("/profil")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    assert rows(db, user) == []


def test_a_copied_remember_me_cookie_stops_working_after_logout(app, db, make, client):
    user = make.user()
    db.session.commit()
    assert post_login(client, user.email, remember="y").status_code == 302
    assert client.get_cookie("remember_token") is not None
    thief = app.test_client()
    thief.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert thief.get("/profil").status_code == 200
    client.post("/logga-ut")
    fresh_thief = app.test_client()
    fresh_thief.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert fresh_thief.get("/profil").status_code == 302


def test_a_copied_cookie_stops_working_after_a_password_change_elsewhere(app, db, make, client):
    user = make.user()
    db.session.commit()
    post_login(client, user.email)
    thief = app.test_client()
    copy_cookies(client, thief)
    other_device = app.test_client()
    post_login(other_device, user.email)
    response = other_device.post("/profil/losenord", data={
        "current_password": DEFAULT_PASSWORD, "password": "nytt-losenord-123",
        "confirm": "nytt-losenord-123"})
    assert response.status_code == 302
    assert thief.get("/profil").status_code == 302
    assert client.get("/profil").status_code == 302
    assert other_device.get("/profil").status_code == 200


def test_a_password_reset_ends_every_session(app, db, make, client):
    from network.accounts import invitations

    user = make.user()
    db.session.commit()
    post_login(client, user.email)
    invitations.request_password_reset(user.email)
    db.session.commit()
    reset = db.session.scalars(select(PasswordReset)).one()  # the token itself is only mailed
    invitations.reset_password(reset, "ett-nytt-losenord-9")
    db.session.commit()
    assert client.get("/profil").status_code == 302
    assert rows(db, user) == []


def redis_keys(app) -> dict[str, bytes]:
    """Every session key in Redis with its value (type permitting), for the Redis variant."""
    store = sessions.store()
    found = {}
    for key in store.redis.scan_iter(f"{store.prefix}:*"):
        name = key.decode()
        found[name] = store.redis.get(key) if store.redis.type(key) == b"string" else b""
    return found


def set_times(db, user, **times) -> None:
    """Move the user's sessions' ``last_seen_at``/``expires_at`` as if time had passed."""
    store = sessions.store()
    if store.name == "database":
        for row in db_rows(db, user):
            for name, value in times.items():
                setattr(row, name, value)
        db.session.commit()
        return
    from network.accounts.session_redis import _stamp

    for record in sessions.active_sessions(user):
        key = f"{store.prefix}:s:{record.id}"
        data = json.loads(store.redis.get(key))
        data.update({name[0]: _stamp(value) for name, value in times.items()})
        store.redis.set(key, json.dumps(data), keepttl=True)
        if "expires_at" in times:
            store.redis.zadd(f"{store.prefix}:u:{user.id}", {record.id: _stamp(times["expires_at"])})


def test_only_a_hash_of_the_cookie_key_is_stored(app, db, make):
    user = make.user()
    key = sessions.open_session(user, user_agent=FIREFOX_LINUX)
    db.session.commit()
    (row,) = rows(db, user)
    secret = key.removeprefix(sessions.KEY_PREFIX)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if sessions.store().name == "database":
        assert row.key_hash == digest
    else:
        stored = redis_keys(app)
        assert f"{sessions.store().prefix}:s:{digest}" in stored
        assert not any(secret in name or secret.encode() in value for name, value in stored.items())
        assert db_rows(db, user) == []  # nothing of it in the database
    assert sessions.load_user(key).id == user.id
    assert sessions.load_user(key + "x") is None
    assert sessions.load_user(f"{user.id}:oldstyletoken") is None


def test_an_expired_session_is_refused_and_purged(app, db, make, runner):
    user = make.user()
    key = sessions.open_session(user)
    live = sessions.open_session(make.user())
    db.session.commit()
    set_times(db, user, expires_at=utcnow() - dt.timedelta(seconds=1))
    assert sessions.load_user(key) is None
    if sessions.store().name == "database":
        result = runner.invoke(args=["purge-sessions"])
        assert "1 utgångna sessioner borttagna." in result.output
    else:  # scaled: the command queues the job; the job does this
        assert sessions.purge_expired() == 1
        assert list(redis_keys(app)) != []  # the live one
        assert f"{sessions.store().prefix}:u:{user.id}" not in redis_keys(app)
    assert rows(db, user) == []
    assert sessions.load_user(live) is not None


def test_a_redis_session_removes_itself_when_its_ttl_runs_out(app, db, make):
    if sessions.store().name != "redis":
        pytest.skip("the database store is purged by the daily command (test above)")
    user = make.user()
    key = sessions.open_session(user)
    (record,) = rows(db, user)
    store = sessions.store()
    name = f"{store.prefix}:s:{record.id}"
    idle = app.config["SESSION_IDLE_DAYS"] * 86400
    assert idle - 60 < store.redis.ttl(name) <= idle  # the idle expiry is the key's TTL
    store.redis.expire(name, 0)  # what Redis does when that TTL runs out
    assert sessions.load_user(key) is None
    assert rows(db, user) == []
    assert store.redis.zcard(f"{store.prefix}:u:{user.id}") == 0  # the stale index entry went


def test_a_deactivated_member_is_not_signed_in(app, db, make, login):
    user = make.user()
    client = login(user)
    user.active = False
    db.session.commit()
    assert client.get("/profil").status_code == 302


def test_last_seen_is_written_at_most_every_few_minutes_and_keeps_the_cache(app, db, make, login):
    from network import cache

    user = make.user()
    client = login(user)
    long_ago = utcnow() - dt.timedelta(hours=1)
    set_times(db, user, last_seen_at=long_ago)
    generation = cache.generation()
    assert client.get("/profil").status_code == 200
    db.session.expire_all()
    seen = rows(db, user)[0].last_seen_at
    assert seen > long_ago
    assert cache.generation() == generation  # "last seen" invalidates no cached page
    assert client.get("/profil").status_code == 200
    db.session.expire_all()
    assert rows(db, user)[0].last_seen_at == seen  # not due again yet


def test_my_sessions_lists_devices_and_ends_another(app, db, make, client):
    user = make.user()
    db.session.commit()
    phone = app.test_client()
    phone.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD},
               headers={"User-Agent": SAFARI_IPHONE})
    client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD},
                headers={"User-Agent": FIREFOX_LINUX})
    page = client.get("/profil/sessioner")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Safari på iOS" in text and "Firefox på Linux" in text
    assert "den här enheten" in text
    phone_row = next(r for r in rows(db, user) if "iPhone" in r.user_agent)
    response = client.post(f"/profil/sessioner/{phone_row.id}/avsluta")
    assert response.status_code == 302
    assert phone.get("/profil").status_code == 302
    assert client.get("/profil").status_code == 200


def test_ending_all_other_sessions_keeps_this_one(app, db, make, client):
    user = make.user()
    db.session.commit()
    others = [app.test_client() for _ in range(2)]
    for other in [*others, client]:
        post_login(other, user.email)
    response = client.post("/profil/sessioner/avsluta-andra", follow_redirects=True)
    assert "2 andra sessioner är avslutade." in response.get_data(as_text=True)
    assert [o.get("/profil").status_code for o in others] == [302, 302]
    assert client.get("/profil").status_code == 200


def test_someone_elses_session_is_not_found(app, db, make, login):
    owner, other = make.user(), make.user()
    sessions.open_session(owner)
    db.session.commit()
    row = rows(db, owner)[0]
    assert login(other).post(f"/profil/sessioner/{row.id}/avsluta").status_code == 404
    assert rows(db, owner) != []


def test_ending_a_session_is_refused_at_the_service_for_others(app, db, make):
    owner, other, admin = make.user(), make.user(), make.admin()
    sessions.open_session(owner)
    db.session.commit()
    row = rows(db, owner)[0]
    with pytest.raises(AccessDenied):
        sessions.end_session(other, row)
    assert rows(db, owner) != []
    sessions.end_session(admin, row)
    db.session.commit()
    assert rows(db, owner) == []


@pytest.mark.parametrize(("agent", "expected"), [
    (FIREFOX_LINUX, "Firefox på Linux"),
    (SAFARI_IPHONE, "Safari på iOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge på Windows"),
    ("", "Okänd enhet"),
])
def test_a_device_is_described_from_the_user_agent(app, agent, expected):
    with app.test_request_context():
        assert sessions.describe_device(agent).describe() == expected


def _count_lookups(monkeypatch) -> list:
    store, calls = sessions.store(), []
    original = store.lookup
    monkeypatch.setattr(store, "lookup", lambda *args: calls.append(args) or original(*args))
    return calls


def test_a_known_session_signs_in_without_asking_the_store(app, db, make, login, monkeypatch):
    user = make.user()
    client = login(user)
    calls = _count_lookups(monkeypatch)
    assert client.get("/profil").status_code == 200
    assert len(calls) == 1  # looked up once, then known to this process
    assert client.get("/profil").status_code == 200
    assert client.get("/profil").status_code == 200
    assert len(calls) == 1
    other = login(make.user())  # another cookie is another session
    assert other.get("/profil").status_code == 200
    assert len(calls) == 2


def test_a_known_session_is_asked_for_again_while_the_generations_cannot_be_read(
        app, db, make, login, monkeypatch):
    """Redis away: no process can tell whether a session it knows still lives, so it asks the
    store (which answers 503 when it is Redis and away)."""
    from network import cache

    client = login(make.user())
    assert client.get("/profil").status_code == 200  # known
    calls = _count_lookups(monkeypatch)
    monkeypatch.setattr(cache.cache().generation, "scope_values", lambda _names: None)
    assert client.get("/profil").status_code == 200
    assert client.get("/profil").status_code == 200
    assert len(calls) == 2


def test_a_known_session_ends_at_once_when_its_account_is_deactivated(app, db, make, login):
    user = make.user()
    client = login(user)
    assert client.get("/profil").status_code == 200  # known
    user.active = False
    db.session.commit()
    assert client.get("/profil").status_code == 302


def test_a_known_session_ends_at_once_when_another_process_ends_it(app, db, make, login):
    """Ending it elsewhere (another worker, the CLI) reaches this process through the shared
    generations: the DELETE raises ``structural``, Redis's end raises ``sessions``."""
    user = make.user()
    client = login(user)
    assert client.get("/profil").status_code == 200  # known
    with app.app_context():  # as another process would: no request of this client
        sessions.end_all_sessions(db.session.get(type(user), user.id))
        db.session.commit()
    assert client.get("/profil").status_code == 302


def test_a_known_session_is_looked_up_again_after_last_seen_is_noted(app, db, make, login,
                                                                     monkeypatch):
    user = make.user()
    client = login(user)
    set_times(db, user, last_seen_at=utcnow() - dt.timedelta(hours=1))
    calls = _count_lookups(monkeypatch)
    assert client.get("/profil").status_code == 200  # due: noted, and forgotten here
    assert client.get("/profil").status_code == 200  # read again: not due any more
    assert client.get("/profil").status_code == 200
    assert len(calls) == 2
    db.session.expire_all()
    assert rows(db, user)[0].last_seen_at > utcnow() - dt.timedelta(minutes=1)


def test_a_known_account_reads_its_last_login_from_the_database(app, db, make, login):
    """The login time changes without raising a scope: it is never taken from memory."""
    user = make.user()
    key = sessions.open_session(user)
    db.session.commit()
    with app.test_request_context():
        assert sessions.load_user(key).last_login_at is None
        db.session.remove()
    with app.test_request_context():
        later = utcnow()
        db.session.execute(type(user).__table__.update().values(last_login_at=later)
                           .execution_options(cache_neutral=True))
        db.session.commit()
        assert sessions.load_user(key).last_login_at == later


def test_deactivation_ends_every_session(app, db, make, login):
    admin, anna = make.admin(), make.user()
    db.session.commit()
    phone, laptop = app.test_client(), app.test_client()
    post_login(phone, anna.email)
    post_login(laptop, anna.email)
    assert len(rows(db, anna)) == 2
    assert login(admin).post(f"/admin/medlemmar/{anna.id}/inaktivera").status_code == 302
    assert rows(db, anna) == []
    assert [phone.get("/profil").status_code, laptop.get("/profil").status_code] == [302, 302]


def test_an_admin_sees_and_ends_a_members_session_on_the_member_page(app, db, make, login):
    from network.accounts.models import AuditLog

    admin, bo = make.admin(), make.user()
    db.session.commit()
    bo_client = app.test_client()
    bo_client.post("/logga-in", data={"email": bo.email, "password": DEFAULT_PASSWORD},
                   headers={"User-Agent": FIREFOX_LINUX})
    (record,) = rows(db, bo)
    admin_client = login(admin)
    page = admin_client.get(f"/admin/medlemmar/{bo.id}").get_data(as_text=True)
    assert "Firefox på Linux" in page
    assert f"/sessioner/{record.id}/avsluta" in page
    other = make.user()
    db.session.commit()
    # The session is someone else's than the member's in the address: not found, kept.
    assert admin_client.post(
        f"/admin/medlemmar/{other.id}/sessioner/{record.id}/avsluta").status_code == 404
    assert bo_client.get("/profil").status_code == 200
    assert admin_client.post(
        f"/admin/medlemmar/{bo.id}/sessioner/{record.id}/avsluta").status_code == 302
    assert bo_client.get("/profil").status_code == 302
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "user.session.end")).one()
    assert entry.target_id == str(bo.id)


@pytest.mark.parametrize("session_id", ["abc", "1" * 30, "f" * 63, "../1"])
def test_a_malformed_session_id_is_not_found(app, db, make, login, session_id):
    assert login(make.user()).post(f"/profil/sessioner/{session_id}/avsluta").status_code == 404


def test_a_cached_page_forgets_the_cookie_once_its_session_ends(app, db, make, client):
    user = make.user(name="Cecilia Cachesson")
    db.session.commit()
    post_login(client, user.email)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert "Cecilia Cachesson" in thief.get("/").get_data(as_text=True)
    again = thief.get("/")
    assert again.headers.get("X-Page-Cache") == "hit"  # the page cache knows this cookie now
    assert client.post("/logga-ut").status_code == 302
    after = thief.get("/")
    assert "Cecilia Cachesson" not in after.get_data(as_text=True)
    assert after.headers.get("X-Page-Cache") != "hit"


def test_opening_a_session_keeps_the_cached_pages(app, db, make, client):
    from network import cache

    user = make.user()
    db.session.commit()
    generation = cache.generation()
    sessions.open_session(user, user_agent=FIREFOX_LINUX)
    db.session.commit()
    assert cache.generation() == generation


def test_the_session_store_away_answers_503_and_changes_nothing(app, db, make, client, monkeypatch):
    if sessions.store().name != "redis":
        pytest.skip("the database store's outage is tests/deploy/test_faults.py's")
    import redis

    from tests.notifications.smtp import free_port

    user = make.user()
    db.session.commit()
    post_login(client, user.email)
    newcomer = app.test_client()
    nowhere = redis.Redis(port=free_port(), socket_connect_timeout=0.5, socket_timeout=0.5)
    monkeypatch.setattr(sessions.store(), "redis", nowhere)
    page = client.get("/profil")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "Tjänsten är tillfälligt otillgänglig" in page.get_data(as_text=True)
    assert client.post("/logga-ut").status_code == 503
    assert post_login(newcomer, user.email).status_code == 503
    assert newcomer.get("/").status_code == 200  # pages for visitors go on
    monkeypatch.undo()
    nowhere.close()
    assert len(rows(db, user)) == 1  # the logout did not happen; the failed login left nothing
    assert client.get("/profil").status_code == 200


def test_the_data_export_lists_the_sessions_without_their_keys(app, db, make, client):
    user = make.user()
    db.session.commit()
    client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD},
                headers={"User-Agent": FIREFOX_LINUX})
    (record,) = rows(db, user)
    response = client.get("/profil/mina-uppgifter.json")
    assert response.status_code == 200
    (exported,) = json.loads(response.data)["sessions"]
    assert exported["device"] == "Firefox på Linux"
    assert exported["user_agent"] == FIREFOX_LINUX
    assert {"signed_in_at", "last_seen_at", "expires_at"} <= set(exported)
    if sessions.store().name == "redis":
        assert record.id not in json.dumps(exported)  # the key's hash stays on the server


def test_deleting_the_account_ends_every_session(app, db, make, client):
    user = make.user()
    db.session.commit()
    other = app.test_client()
    post_login(other, user.email)
    post_login(client, user.email)
    client.post("/profil/radera", data={"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert other.get("/profil").status_code == 302
    assert rows(db, user) == []
