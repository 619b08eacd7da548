"""The catalogue's plain rows say exactly what the API's resource schema says of the same
resources: the fast path may not drift from the documented one."""

from __future__ import annotations

import io

from network.api.schemas import ResourceOut
from network.resources import catalogue, services


def test_plain_rows_equal_the_schemas_dump_of_the_same_resources(app, make, db):
    admin = make.admin()
    organisation = make.organisation(name="Botkyrka kommun", municipality_code="0127")
    full = services.create_resource(
        admin, title="Lägesbild Alby", type="metodstod", visibility="public",
        summary="Så tog vi fram lägesbilden.", themes=["samverkan", "grovt_vald"],
        organisation_id=organisation.id, municipality_codes=["0180", "0127"], licence="cc-by-4.0",
        uploads=[services.Upload(io.BytesIO(b"Version ett"), "ett.txt")])
    services.add_version(admin, full, [services.Upload(io.BytesIO(b"Version tva"), "tva.txt")], "Ny")
    bare = services.create_resource(admin, title="Länk utan fil", type="metodstod",
                                    visibility="members", external_url="https://example.se/stod")
    db.session.commit()
    db.session.expire_all()

    rows = catalogue.entries([bare.id, full.id], app.config["PUBLIC_BASE_URL"])

    assert rows == ResourceOut(many=True).dump([bare, full])
    assert rows[1]["current_version"] == 2
    assert rows[1]["municipalities"] == ["0127", "0180"]  # by name: Botkyrka before Stockholm
    assert rows[0]["organisation"] is None and rows[0]["current_version"] is None


def test_unknown_ids_are_left_out_and_an_empty_page_costs_nothing(app, make, db):
    assert catalogue.entries([], app.config["PUBLIC_BASE_URL"]) == []
    assert catalogue.entries([987654], app.config["PUBLIC_BASE_URL"]) == []


def test_a_listing_statement_is_shared_by_a_scope_and_a_search_is_built_afresh(app, make, db):
    from flask_login import AnonymousUserMixin

    member = make.user()
    db.session.commit()
    plain, search = services.Filters(), services.Filters(q="trygghet")
    with app.test_request_context():
        visitor = catalogue.listed(AnonymousUserMixin(), plain)
        assert catalogue.listed(AnonymousUserMixin(), plain) is visitor
        assert catalogue.listed(member, plain) is not visitor
        assert catalogue.listed(AnonymousUserMixin(), services.Filters(type="rapport")) is not visitor
        assert catalogue.listed(AnonymousUserMixin(), search) is not catalogue.listed(
            AnonymousUserMixin(), search)


def test_stored_times_read_as_text_give_the_schemas_iso_form(app, make, db):
    """SQLite's stored text is turned into the ISO form without parsing it: with and without
    microseconds, and in a form SQLAlchemy did not write, the answer is the schema's."""
    import datetime as dt

    from sqlalchemy import text

    admin = make.admin()
    one, two, three = (services.create_resource(admin, title=f"Tid {n}", type="metodstod",
                                                visibility="members",
                                                external_url=f"https://example.se/{n}")
                         for n in range(3))
    one.created_at = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    two.created_at = dt.datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=dt.UTC)
    db.session.flush()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("UPDATE resources SET updated_at = '2026-03-04 05:06:07' "
                                "WHERE id = :id"), {"id": three.id})
    db.session.commit()
    db.session.expire_all()

    rows = catalogue.entries([one.id, two.id, three.id], app.config["PUBLIC_BASE_URL"])

    assert rows == ResourceOut(many=True).dump([one, two, three])
    assert rows[0]["created_at"] == "2026-01-02T03:04:05+00:00"
    assert rows[1]["created_at"] == "2026-01-02T03:04:05.000600+00:00"
