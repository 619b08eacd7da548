"""The shared extension objects, where they differ from the libraries' defaults."""

from network import create_app


def test_routes_without_limits_are_not_limited(client):
    assert all(client.get("/healthz").status_code == 200 for _ in range(40))


def test_a_configured_default_limit_still_applies_to_every_route(app_config):
    from network.extensions import db, limiter

    app = create_app({**app_config, "RATELIMIT_DEFAULT": "2 per minute"})
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
