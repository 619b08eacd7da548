"""The shared extension objects, where they differ from the libraries' defaults."""

from network import create_app


def test_routes_without_limits_are_not_limited(client):
    assert all(client.get("/healthz").status_code == 200 for _ in range(40))


def test_a_configured_default_limit_still_applies_to_every_route(app_config):
    from network.extensions import db, limiter

    # A day's window: the memory storage expires a counter by the wall clock, and a minute's
    # window once let the third request through on a busy machine (a clock step or a stalled
    # process between the requests). The test is about the limit applying, not its length.
    app = create_app({**app_config, "RATELIMIT_DEFAULT": "2 per day"})
    client = app.test_client()
    try:
        with app.app_context():
            codes = [client.get("/healthz").status_code for _ in range(3)]
            db.session.remove()  # the requests shared this app context, and its session
            db.engine.dispose()
    finally:
        # The limiter object is shared by every app the tests build; later apps set none.
        limiter.limit_manager.set_default_limits([])
    assert codes == [200, 200, 429]
    assert limiter.limit_manager.default_limits == []


def test_the_memory_storage_counts_without_starting_a_thread_per_hit(monkeypatch):
    import threading

    from limits import RateLimitItemPerMinute
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

    from network.extensions import SweepingMemoryStorage

    storage = storage_from_string("network-memory://")
    assert isinstance(storage, SweepingMemoryStorage)
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    fixed, moving = FixedWindowRateLimiter(storage), MovingWindowRateLimiter(storage)
    two = RateLimitItemPerMinute(2)
    assert [fixed.hit(two, "ip", "a") for _ in range(3)] == [True, True, False]
    assert [moving.hit(two, "ip", "b") for _ in range(3)] == [True, True, False]
    assert started == []


def test_the_memory_storage_still_drops_expired_counters(monkeypatch):
    from limits import RateLimitItemPerSecond
    from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

    from network.extensions import SweepingMemoryStorage

    storage = SweepingMemoryStorage()
    clock = {"now": 1000.0}
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: clock["now"])
    monkeypatch.setattr("network.extensions.time.monotonic", lambda: clock["now"])
    storage._next_sweep = clock["now"] + storage.SWEEP_SECONDS
    one = RateLimitItemPerSecond(1)
    assert FixedWindowRateLimiter(storage).hit(one, "old")
    assert MovingWindowRateLimiter(storage).hit(one, "old-moving")
    assert storage.storage and storage.events
    clock["now"] += 5  # long past both expiries and the sweep interval
    assert FixedWindowRateLimiter(storage).hit(one, "new")  # this hit sweeps
    assert set(storage.storage) == {"LIMITER/new/1/1/second"}
    assert not any(storage.events.values())  # the parent keeps emptied lists


def test_the_apps_limiter_uses_the_thread_free_storage_without_redis(app):
    from network.extensions import SweepingMemoryStorage, limiter

    assert isinstance(limiter.storage, SweepingMemoryStorage)
