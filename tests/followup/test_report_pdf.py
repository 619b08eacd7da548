"""The PDF report is parsed back: period, every participating municipality, the totals."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from network.followup import duties, services
from tests.followup.test_programme import _activity


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_has_the_period_every_municipality_and_the_totals(world, login, db):
    _activity(world, db)
    services.save_plan(world.admin, "1280", title="Plan Malmö", start_year=2025, end_year=2027,
                       description="")
    duties.record_plan_decision(world.admin, world.plan, decided_by="Kommunfullmäktige",
                                decided_on=dt.date(2025, 2, 1), reference="KF 12", next_revision_on=None)
    db.session.commit()
    response = login(world.admin).get("/uppfoljning/oversikt/rapport.pdf?fran=2025-01-01&till=2025-12-31")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    text = _text(response.data)
    assert "Period: 2025-01-01 - 2025-12-31" in text
    assert "Stockholm" in text and "Malmö" in text
    assert "Totalt (2 kommuner)" in text
    assert "Antagen 2025-02-01 av Kommunfullmäktige" in text
    assert "4,5" in text  # the support hours in the period, Swedish notation
    assert len(PdfReader(io.BytesIO(response.data)).pages) >= 4  # title, overview, charts, sections


def test_the_pdf_in_english(world, login, db):
    _activity(world, db)
    text = _text(login(world.admin).get("/uppfoljning/oversikt/rapport.pdf?sprak=en&fran=2025-01-01"
                                        "&till=2025-12-31").data)
    assert "Total (1 municipalities)" in text or "Total (1 municipality)" in text
    assert "Stockholm" in text


def test_the_pdf_refuses_a_backwards_period_and_outsiders(world, login, db):
    client = login(world.admin)
    response = client.get("/uppfoljning/oversikt/rapport.pdf?fran=2025-06-01&till=2025-01-01",
                          follow_redirects=True)
    assert "Periodens slut kan inte vara före dess början" in response.get_data(as_text=True)
    assert login(world.member).get("/uppfoljning/oversikt/rapport.pdf").status_code == 403
