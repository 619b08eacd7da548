"""Commands: create-admin, seed-demo (network/accounts/cli.py, network/accounts/demo.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from network.accounts.demo import register_seed
from network.accounts.models import (
    Area,
    Group,
    GroupKind,
    Municipality,
    Organisation,
    OrganisationType,
    User,
)


def test_create_admin_makes_an_admin_who_can_log_in(runner, db, client):
    result = runner.invoke(args=["create-admin", "--email", "Chef@Example.se", "--name", "Chef Chefsson",
                                 "--password", "ett-langt-losenord"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chef@example.se"))
    assert user.is_admin and user.name == "Chef Chefsson"
    response = client.post("/logga-in", data={"email": "chef@example.se",
                                              "password": "ett-langt-losenord"})
    assert response.status_code == 302


def test_create_admin_refuses_duplicates_and_short_passwords(runner, db, make):
    make.user(email="finns@example.se")
    db.session.commit()
    dup = runner.invoke(args=["create-admin", "--email", "finns@example.se", "--name", "X",
                              "--password", "ett-langt-losenord"])
    assert dup.exit_code != 0 and "Det finns redan ett konto" in dup.output
    short = runner.invoke(args=["create-admin", "--email", "ny@example.se", "--name", "X",
                                "--password", "kort"])
    assert short.exit_code != 0 and "minst" in short.output


class TestSeedDemo:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["DEMO_MODE"] = True
        return app_config

    def test_seed_builds_a_realistic_network_and_prints_passwords(self, app, runner, db):
        seen = {}
        register_seed(app, lambda ctx: seen.update(
            admin=ctx.users["admin"].email, group=ctx.groups["grovt_vald"].name,
            municipality=ctx.municipalities["1880"].name, area=ctx.areas["Vivalla"].name))
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert seen == {"admin": "karin.lindqvist@bra.example.se", "group": "Grovt våld",
                        "municipality": "Örebro", "area": "Vivalla"}
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert 18 <= count(User) <= 25
        assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin")) == 1
        participating = db.session.scalars(select(Municipality.name).where(
            Municipality.participating_since.is_not(None))).all()
        assert sorted(participating) == ["Borlänge", "Göteborg", "Malmö", "Uppsala", "Örebro"]
        thematic = set(db.session.scalars(select(Group.name).where(Group.kind == GroupKind.THEMATIC)))
        assert thematic == {"Nyrekrytering till kriminella nätverk", "Grovt våld",
                            "Ordningsstörningar i offentlig miljö", "Uppföljning och utvärdering"}
        types = db.session.scalars(select(Organisation.type)).all()
        assert types.count(OrganisationType.LANSSTYRELSE) == 2
        assert OrganisationType.MYNDIGHET in types and OrganisationType.BOSTADSBOLAG in types
        assert types.count(OrganisationType.POLIS) == 5
        rosengard = db.session.scalar(select(Area).where(Area.name == "Rosengård"))
        assert rosengard.current_level == "sarskilt_utsatt"
        assert [c.year for c in rosengard.classifications] == [2025, 2023, 2021]
        assert "karin.lindqvist@bra.example.se" in result.output and "administratör" in result.output
        # Every printed password works.
        line = next(x for x in result.output.splitlines() if "amira.hassan" in x)
        password = line.split()[1]
        assert app.test_client().post("/logga-in", data={
            "email": "amira.hassan@malmo.example.se", "password": password}).status_code == 302

    def test_if_empty_does_nothing_when_users_exist(self, runner, db, make):
        make.user()
        db.session.commit()
        result = runner.invoke(args=["seed-demo", "--if-empty"])
        assert result.exit_code == 0
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert runner.invoke(args=["seed-demo"]).exit_code != 0


def test_seed_refuses_to_run_outside_demo_mode(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "demoläge" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_seed_runs_outside_demo_mode_with_force(runner, db):
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 20
