"""The demo network gets a small library through the accounts seed hook."""

import pytest
from sqlalchemy import select

from network.resources import totals
from network.resources.models import Resource


@pytest.fixture
def app_config(app_config):
    app_config["DEMO_MODE"] = True
    return app_config


def test_seed_demo_fills_the_library_with_files_versions_and_review(app, runner, db, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    resources = {r.title: r for r in db.session.scalars(select(Resource))}
    # The library's own fifteen, and the minutes the events demo files for its held workshop.
    assert len(resources) == 16
    # Backdated after creation, each counts on the day it now says it was shared.
    assert totals.shared_drift() == 0
    assert "Minnesanteckningar: tidiga signaler på nyrekrytering" in resources
    plan = resources["Åtgärdsplan mot nyrekrytering, Örebro"]
    assert [v.number for v in plan.versions] == [2, 1]
    assert resources["Lägesbild Rosengård, våren 2025"].effective_visibility == "group"
    page = client.get("/bibliotek/").get_data(as_text=True)
    assert "Metodstöd: trygghetsvandringar i bostadsområden" in page
    assert "Lägesbild Rosengård" not in page
    # Visitors find a public library of guides, evaluations and reports, published after review
    # on working days in the past year.
    public = [r for r in resources.values() if r.effective_visibility == "public"]
    assert len(public) >= 6
    assert all(r.created_at.weekday() < 5 for r in resources.values()
               if r.title != "Minnesanteckningar: tidiga signaler på nyrekrytering")
    library = client.get("/bibliotek/").get_data(as_text=True)
    assert "Utvärdering: föräldraskapsstöd i Vivalla 2023–2024" in library
