"""What follow-up adds to a person's data export (network/followup/personal_data.py)."""

from __future__ import annotations

import datetime as dt
import json

from network.accounts import privacy
from network.followup import services


def test_the_export_holds_the_measures_notes_and_reports_the_person_wrote(world, login, db):
    measure = services.save_measure(
        world.facilitator, world.plan, title="Föräldravandringar", problem="Oro på helger",
        description="Vi går på fredagar.", theme="trygghet", status="planerad",
        start_date=dt.date(2025, 3, 3), end_date=dt.date(2025, 12, 19), responsible_id=None,
        partner_ids=[], area_ids=[])
    services.add_note(world.facilitator, measure, period_start=dt.date(2025, 3, 3),
                      period_end=dt.date(2025, 6, 13), done="Tolv vandringar", learned="Fler vuxna")
    report = services.create_report_from_measure(world.facilitator, measure)
    db.session.commit()

    mine = json.loads(login(world.facilitator).get("/profil/mina-uppgifter.json").data)
    written = mine["followup_written"]
    assert [m["title"] for m in written["measures"]] == ["Föräldravandringar"]
    assert [n["done"] for n in written["follow_up_notes"]] == ["Tolv vandringar"]
    assert [r["id"] for r in written["experience_reports"]] == [report.id]

    # The admin wrote the fixture's measure; none of it is the facilitator's, nor the reverse.
    admins = privacy.export_user_data(world.admin)["followup_written"]
    assert [m["title"] for m in admins["measures"]] == ["Trygghetsvandringar i Rinkeby"]
    assert admins["experience_reports"] == [] and admins["follow_up_notes"] == []
