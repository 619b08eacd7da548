"""Services that views do not fully show (network/accounts/services.py, invitations.py)."""

from __future__ import annotations

import pytest

from network.accounts import invitations, services
from network.accounts.models import ClassificationLevel, GroupKind

SU, RISK, UTSATT, NONE = (ClassificationLevel.SARSKILT_UTSATT, ClassificationLevel.RISK,
                          ClassificationLevel.UTSATT, ClassificationLevel.NONE)


def test_a_municipality_ranks_by_its_worst_current_area(db, make, count_queries):
    make.area("1280", "A", level=UTSATT)
    make.area("1280", "B", level=SU)  # Malmö: one särskilt utsatt
    make.area("1480", "C", level=RISK)  # Göteborg: one riskområde
    declassified = make.area("0180", "D", level=SU, year=2021)  # Stockholm: was, is no longer
    services.classify_area(None, declassified, 2025, NONE)
    db.session.commit()
    with count_queries() as q:
        rows = services.municipality_list()
    assert q.count == 1
    ranked = [(r.name, r.priority, r.areas) for r in rows[:3]]
    assert ranked == [("Malmö", SU.priority, 2), ("Göteborg", RISK.priority, 1),
                      ("Stockholm", None, 1)]


def test_classification_years_outside_the_police_reports_are_refused(db, make):
    area = make.area("1880", "Vivalla", level=None)
    with pytest.raises(services.AccountError):
        services.classify_area(None, area, 1999, SU)
    with pytest.raises(ValueError):
        services.classify_area(None, area, 2025, "okand")


def test_local_groups_need_a_real_municipality(db):
    with pytest.raises(services.AccountError):
        services.create_group(None, "Lokal", GroupKind.LOCAL)
    with pytest.raises(services.AccountError):
        services.create_group(None, "Lokal", GroupKind.LOCAL, municipality_code="9999")


def test_invitation_links_use_the_public_base_url_outside_requests(app, db, make, mail):
    app.config["PUBLIC_BASE_URL"] = "https://natverket.example.se"
    _inv, token = invitations.invite(make.admin(), "cli@example.se")
    db.session.commit()
    [message] = mail.deliver()
    assert f"https://natverket.example.se/inbjudan/{token}" in message.get_content()


def test_inactive_users_cannot_be_added_to_groups(db, make):
    user = make.user()
    user.active = False
    with pytest.raises(services.AccountError):
        services.add_member(None, make.group(), user)
