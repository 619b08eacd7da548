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


def test_themes_and_municipalities_gathered_in_the_list_query_equal_the_schemas_dump(
        app, make, db, count_queries):
    """None, one or several themes and municipalities, gathered per row in the page's own query:
    the same lists in the same order as the ORM's relationships (themes by name, municipalities
    by their names, Å, Ä and Ö included, in the database's own order on PostgreSQL)."""
    admin = make.admin()
    shapes = {
        "none": ((), ()),
        "one": (("uppfoljning",), ("2321",)),
        "several": (("trygghet_offentlig_miljo", "samverkan", "grovt_vald", "situationell_prevention"),
                    ("1880", "0319", "2321", "1440", "0114", "0180")),
    }
    made = {name: services.create_resource(admin, title=name, type="metodstod", visibility="members",
                                            external_url=f"https://example.se/{name}",
                                            themes=themes, municipality_codes=codes)
            for name, (themes, codes) in shapes.items()}
    db.session.commit()
    db.session.expire_all()
    ids = [made[name].id for name in ("several", "none", "one")]

    with count_queries() as counter:
        rows = catalogue.entries(ids, app.config["PUBLIC_BASE_URL"])

    assert counter.count == 1
    assert rows == ResourceOut(many=True).dump([made["several"], made["none"], made["one"]])
    assert [(row["themes"], row["municipalities"]) for row in rows[1:]] == [
        ([], []), (["uppfoljning"], ["2321"])]
    assert rows[0]["themes"] == sorted(shapes["several"][0])
    assert sorted(rows[0]["municipalities"]) == sorted(shapes["several"][1])
    if db.engine.dialect.name == "sqlite":  # code point order: Ä, Å, Ö after Z
        assert rows[0]["municipalities"] == ["1440", "0180", "0114", "0319", "2321", "1880"]


def test_the_sqlite_lists_are_sorted_as_its_binary_collation_sorts(app):
    """``_sqlite_lists`` orders SQLite's unordered JSON arrays: themes by value, municipalities
    by name then code (equal names keep a fixed order)."""
    themes, places = catalogue._sqlite_lists(
        '["samverkan","grovt_vald"]', '[["Örebro","1880"],["Ale","1440"],["Ale","0001"]]')
    assert themes == ["grovt_vald", "samverkan"]
    assert places == ["0001", "1440", "1880"]
    assert catalogue._sqlite_lists("[]", "[]") == ([], [])
    assert catalogue._sqlite_lists('["uppfoljning"]', '[["Åre","2321"]]') == (["uppfoljning"], ["2321"])
