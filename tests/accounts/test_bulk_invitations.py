"""Bulk invitations from a CSV file (network/accounts/bulk_invitations.py and its views)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from network.accounts import bulk_invitations
from network.accounts.models import Invitation
from network.permissions import AccessDenied


def upload(client, text: str, name="inbjudningar.csv"):
    return client.post("/admin/inbjudningar/fran-fil", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode("utf-8")), name)})


def invitations(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


@pytest.fixture
def setup(db, make, login):
    admin = make.admin()
    make.organisation(name="Örebro kommun", municipality_code="1880")
    group = make.group(name="Trygghet Vivalla")
    make.user(email="finns@example.se")
    db.session.commit()
    return {"admin": admin, "client": login(admin), "group": group}


GOOD = ("email;name;organisation;group;role\n"
        "anna@example.se;Anna;Örebro kommun;Trygghet Vivalla;samordnare\n"
        "bo@example.se;Bo;;;\n")


def test_a_preview_sends_nothing_and_confirming_sends_each_invitation(db, setup, mail):
    client = setup["client"]
    page = upload(client, GOOD)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2 rader kan bjudas in, 0 har fel" in text
    assert invitations(db) == 0 and not mail.deliver()
    signed = text.split('name="rows" value="', 1)[1].split('"', 1)[0]
    response = client.post("/admin/inbjudningar/fran-fil/skicka", data={"rows": signed})
    assert response.status_code == 302
    rows = db.session.scalars(select(Invitation).order_by(Invitation.email)).all()
    assert [(i.email, i.group_id, i.group_role) for i in rows] == [
        ("anna@example.se", setup["group"].id, "facilitator"), ("bo@example.se", None, "member")]
    assert sorted(m["To"] for m in mail.deliver()) == ["anna@example.se", "bo@example.se"]


def test_each_bad_row_is_explained_in_plain_language(db, setup):
    text = ("email;name;organisation;group;role\n"
            "inte-en-adress;X;;;\n"
            "ny@example.se;Ny;;;\n"
            "NY@example.se;Dubbel;;;\n"
            "finns@example.se;Finns;;;\n"
            "org@example.se;O;Okänd kommun;;\n"
            "grupp@example.se;G;;Okänd grupp;\n"
            "roll@example.se;R;;;chef\n"
            "formel@example.se;=HYPERLINK(\"x\");;;\n")
    page = upload(setup["client"], text).get_data(as_text=True)
    assert "1 rader kan bjudas in, 7 har fel" in page
    for message in ("”inte-en-adress” är ingen giltig e-postadress.",
                    "Samma e-postadress som på rad 3.",
                    "Det finns redan ett konto med den e-postadressen.",
                    "Organisationen ”Okänd kommun” finns inte i nätverket.",
                    "Gruppen ”Okänd grupp” finns inte (eller är arkiverad).",
                    "Rollen ska vara ”medlem” eller ”samordnare”.",
                    "En cell börjar med =, +, - eller @ (en formel). Ta bort tecknet."):
        assert message in page.replace("&#34;", '"').replace("&#39;", "'"), message
    assert invitations(db) == 0


@pytest.mark.parametrize(("text", "message"), [
    ("", "Filen är tom."),
    ("mail;namn\nanna@example.se;Anna\n", "Första raden ska vara rubrikerna"),
])
def test_a_file_of_the_wrong_shape_is_refused_whole(db, setup, text, message):
    response = upload(setup["client"], text)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert invitations(db) == 0


def test_ten_thousand_rows_are_refused_with_a_message(db, setup):
    text = "email\n" + "".join(f"p{n}@example.se\n" for n in range(10_000))
    response = upload(setup["client"], text)
    assert response.status_code == 422
    assert "Filen har fler än 2000 rader." in response.get_data(as_text=True)
    assert invitations(db) == 0


def test_a_tampered_confirmation_sends_nothing(db, setup):
    response = setup["client"].post("/admin/inbjudningar/fran-fil/skicka",
                                    data={"rows": "W1siZXZpbEBleGFtcGxlLnNlIl1d.forged"},
                                    follow_redirects=True)
    assert "Ladda upp filen igen." in response.get_data(as_text=True)
    assert invitations(db) == 0


def test_a_row_that_got_an_account_since_the_preview_is_skipped(db, setup, make):
    page = upload(setup["client"], GOOD).get_data(as_text=True)
    signed = page.split('name="rows" value="', 1)[1].split('"', 1)[0]
    make.user(email="bo@example.se")
    db.session.commit()
    response = setup["client"].post("/admin/inbjudningar/fran-fil/skicka", data={"rows": signed},
                                    follow_redirects=True)
    assert "1 inbjudningar skickade." in response.get_data(as_text=True)
    assert "Rad 3 (bo@example.se)" in response.get_data(as_text=True)
    assert [i.email for i in db.session.scalars(select(Invitation))] == ["anna@example.se"]


def test_bulk_invitations_are_for_administrators_only(db, make, login, setup):
    member = make.user()
    db.session.commit()
    assert upload(login(member), GOOD).status_code == 403
    with pytest.raises(AccessDenied):
        bulk_invitations.preview(member, GOOD)
    with pytest.raises(AccessDenied):
        bulk_invitations.send(member, bulk_invitations.sign_rows([]))
    assert invitations(db) == 0


def test_a_row_may_name_several_groups_and_the_invitee_joins_each(db, make, setup, mail):
    from network.accounts.invitations import accept_invitation
    from network.accounts.models import Membership

    skola = make.group(name="Skolnätverket")
    db.session.commit()
    text = ("email;name;organisation;group;role\n"
            "anna@example.se;Anna;;Trygghet Vivalla|skolnatverket;samordnare\n"
            'bo@example.se;Bo;;"Skolnätverket; Trygghet Vivalla";\n')
    page = upload(setup["client"], text).get_data(as_text=True)
    assert "2 rader kan bjudas in, 0 har fel" in page
    assert "Trygghet Vivalla, Skolnätverket" in page
    signed = page.split('name="rows" value="', 1)[1].split('"', 1)[0]
    setup["client"].post("/admin/inbjudningar/fran-fil/skicka", data={"rows": signed})
    anna = db.session.scalar(select(Invitation).where(Invitation.email == "anna@example.se"))
    assert [g.name for g in anna.groups] == ["Trygghet Vivalla", "Skolnätverket"]
    assert "Trygghet Vivalla, Skolnätverket" in next(
        m for m in mail.deliver() if m["To"] == "anna@example.se").get_content()

    user = accept_invitation(anna, name="Anna", password="ett långt lösenord 123")
    joined = db.session.execute(select(Membership.group_id, Membership.role)
                                .where(Membership.user_id == user.id)).all()
    assert sorted(joined) == sorted([(setup["group"].id, "facilitator"), (skola.id, "facilitator")])


def test_each_unknown_group_in_a_row_gets_its_own_error_and_the_row_is_not_sent(db, setup):
    text = ("email;name;organisation;group;role\n"
            "anna@example.se;Anna;;Trygghet Vivalla|Okänd ett|Okänd två;\n")
    preview = bulk_invitations.preview(setup["admin"], text)
    [row] = preview.bad
    assert row.errors == ["Gruppen ”Okänd ett” finns inte (eller är arkiverad).",
                          "Gruppen ”Okänd två” finns inte (eller är arkiverad)."]
    assert preview.good == [] and invitations(db) == 0
