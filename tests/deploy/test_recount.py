"""``flask recount-totals``: every running total compared with counting its rows, and mended."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import delete, func, select, text, update

from network.events import registrations
from network.events import services as events
from network.events.models import Event, EventType, Registration, RegistrationStatus
from network.forums import services as forums
from network.forums.models import ActivityDay, AuthorYear, Category, Post, Topic
from network.resources import services as library
from network.resources import totals as download_totals
from network.resources.demo import tiny_pdf
from network.resources.models import DownloadTotal, Resource, ResourceShareDay

NAMES = ("forumaktivitet per dag, kommun och författare", "antal trådar och svar i forumets listor",
         "anmälda per evenemang", "nedladdningar hittills", "delade resurser per dag och kommun")


@pytest.fixture
def network(make, db):
    """A little of everything the totals count: topics and replies (one deleted), registrations
    with a waitlist, downloads."""
    admin = make.admin()
    people = [make.user(organisation=make.organisation(municipality_code=code))
              for code in ("0180", "1480", "1280")]
    category = forums.create_category(admin, "Samverkan i bostadsområden")
    post, _ = forums.create_topic(people[0], category, "Trygghetsvandringar", "Hur gör ni?")
    for who in people:
        forums.reply(who, post.topic, f"Vi gör så här, {who.name}.")
    forums.delete_post(people[1], db.session.scalar(
        select(Post).where(Post.topic_id == post.topic_id, Post.number == 3)))
    group = make.group(facilitators=[admin])
    start = dt.datetime(2027, 1, 20, 10, 0)  # a Wednesday
    event = events.create_event(admin, events.EventData(
        type=EventType.NETWORK_MEETING, group=group, title="Nätverksträff", start=start,
        end=start + dt.timedelta(hours=2), all_day=False, visibility="members", capacity=2))
    for who in people:
        registrations.register(who, event)  # two seats, the third waits
    resource = library.create_resource(
        admin, title="Metodstöd mot nyrekrytering", type="metodstod", visibility="members",
        uploads=[library.Upload(io.BytesIO(tiny_pdf(["Metodstöd"])), "guide.pdf")])
    db.session.flush()
    for _ in range(3):
        library.record_download(resource.versions[0].files[0])
    db.session.commit()
    return {"category": category, "topic": post.topic, "event": event}


def _report(runner, *args):
    result = runner.invoke(args=["recount-totals", *args])
    return result.exit_code, result.output


def test_healthy_totals_are_reported_as_agreeing_and_left_alone(runner, network, db):
    code, output = _report(runner, "--check")
    assert code == 0, output
    assert output.splitlines() == [f"{name}: stämmer" for name in NAMES]
    code, output = _report(runner)
    assert code == 0 and output.count("stämmer") == 5


def test_drifted_totals_are_found_by_check_and_mended_by_recount(runner, network, db):
    category, topic, event = network["category"], network["topic"], network["event"]
    # Writes around the services, as hand-typed SQL or a partial restore would.
    db.session.execute(update(Category).where(Category.id == category.id).values(topic_count=9))
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(reply_count=0))
    db.session.execute(update(Event).where(Event.id == event.id).values(registered_total=7))
    db.session.execute(update(DownloadTotal).values(downloads=1))
    db.session.execute(delete(ResourceShareDay))  # the day the resource was shared goes missing
    db.session.execute(delete(AuthorYear).where(AuthorYear.user_id == topic.author_id))
    db.session.execute(update(ActivityDay).where(ActivityDay.municipality_code == "0180")
                       .values(replies=ActivityDay.replies + 5))
    db.session.commit()

    code, output = _report(runner, "--check")
    assert code == 1
    assert output.splitlines() == [f"{NAMES[0]}: 2 rader skiljer sig",
                                   f"{NAMES[1]}: 2 rader skiljer sig",
                                   f"{NAMES[2]}: 1 rader skiljer sig",
                                   f"{NAMES[3]}: 1 rader skiljer sig",
                                   f"{NAMES[4]}: 1 rader skiljer sig"]
    assert db.session.get(Category, category.id).topic_count == 9  # --check wrote nothing

    code, output = _report(runner)
    assert code == 0 and "2 rader rättade" in output
    db.session.expire_all()
    assert db.session.get(Category, category.id).topic_count == 1
    assert db.session.get(Topic, topic.id).reply_count == 2  # three replies, one deleted
    seats = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.REGISTERED))
    assert db.session.get(Event, event.id).registered_total == seats == 2
    assert download_totals.downloads_total() == 3 == db.session.scalar(
        select(func.sum(Resource.download_count)))
    assert forums.stats(None, None) == {"topics": 1, "posts": 3, "authors": 2}
    assert library.stats(None, None)["resources_shared"] == 1  # read from the mended totals
    assert _report(runner, "--check") == (0, "\n".join(f"{n}: stämmer" for n in NAMES) + "\n")


def test_a_missing_download_total_row_counts_as_drift(runner, network, db):
    db.session.execute(text("DELETE FROM resource_download_totals"))
    db.session.commit()
    assert _report(runner, "--check")[0] == 1
    assert _report(runner)[0] == 0
    assert download_totals.downloads_total() == 3
