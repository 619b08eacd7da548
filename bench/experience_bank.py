"""The public experience bank's search page, for a visitor, over a few hundred published reports."""

from __future__ import annotations

from pathlib import Path

from bench import harness

REPORTS = 300


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    with harness.app_context(instance_dir):
        create_reports()
    return harness.Target(
        paths=["/erfarenhetsbank?q=trygghet", "/erfarenhetsbank?theme=trygghet&actor=polis"],
        expect_text="Erfarenhetsbank")


def create_reports() -> None:
    import datetime as dt

    from network.db import utcnow
    from network.extensions import db
    from network.followup import services
    from network.followup.demo import seed_demo
    from network.followup.models import ExperienceReport, ReportStatus

    seed_demo(None)
    themes = ["trygghet", "grovt_vald", "nyrekrytering", "ordningsstorningar", "situationell"]
    codes = ["0180", "1280", "1880", "0181", "1490"]
    for n in range(REPORTS):
        report = ExperienceReport(
            municipality_code=codes[n % 5], title=f"Erfarenhet {n}: trygghetsarbete i bostadsområdet",
            theme=themes[n % 5], problem="Otrygghet och ordningsstörningar kvällstid vid centrum",
            area_level=["sarskilt_utsatt", "risk", "utsatt"][n % 3],
            size_class=["under_15000", "15000_50000", "50000_200000", "over_200000"][n % 4],
            how="Vi samverkade med polis, bostadsbolag och skola. " * 5,
            lessons="Börja med en gemensam lägesbild. " * 3, actor_types=",polis,bostadsbolag,",
            status=ReportStatus.PUBLISHED, published_at=utcnow() - dt.timedelta(days=n))
        db.session.add(report)
        db.session.flush()
        services.index_report(report)
    db.session.commit()
