"""Ask the expert (network/forums/experts.py): questions reach the experts on the category's
theme who may read them, programme staff see old unanswered questions, experts' posts carry a
badge, and author names link to profiles."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from network.accounts.models import NetworkRole, UserExpertise
from network.db import utcnow
from network.forums import experts, services
from network.forums.models import Category
from network.notifications.models import Notification
from network.permissions import AccessDenied


def expert(make, *themes, email_notifications="immediately", **kw):
    user = make.user(**kw)
    user.email_notifications = email_notifications
    for theme in themes:
        user.expertise.append(UserExpertise(theme=theme))
    return user


def told(db, user) -> list[str]:
    return list(db.session.scalars(select(Notification.title).where(
        Notification.user_id == user.id, Notification.kind == experts.KIND_EXPERT_QUESTION)))


def test_a_question_reaches_the_experts_on_its_theme_in_app_and_by_email(db, make, forum, mail):
    on_theme = expert(make, "samverkan", email="expert@example.se")
    digest = expert(make, "samverkan", email_notifications="daily")
    other_theme = expert(make, "grovt_vald")
    category = forum.category(is_qa=True, theme="samverkan", name="Fråga experterna")
    asker = expert(make, "samverkan")
    topic = forum.topic(category, author=asker, title="Hur samordnar vi med polisen?")
    db.session.commit()
    assert told(db, on_theme) == ["Fråga till experterna på Samverkan: Hur samordnar vi med polisen?"]
    assert len(told(db, digest)) == 1
    assert told(db, other_theme) == [] and told(db, asker) == []
    recipients = [m["To"] for m in mail.deliver()]
    assert "expert@example.se" in recipients and digest.email not in recipients
    # A reply is not a new question: nobody is routed again.
    forum.reply(topic)
    assert len(told(db, on_theme)) == 1


def test_experts_who_cannot_read_the_question_are_not_told(db, make, forum):
    group, member, category = forum.closed_setup()
    services.update_category(make.admin(), category, name=category.name, description="",
                             is_qa=True, visibility=category.visibility, theme="samverkan")
    outsider = expert(make, "samverkan")
    insider = expert(make, "samverkan")
    from network.accounts.services import add_member
    add_member(None, group, insider, "member")
    forum.topic(category, author=member)
    assert told(db, outsider) == [] and len(told(db, insider)) == 1


def test_only_question_categories_route_and_only_known_themes_are_accepted(db, make, forum):
    listener = expert(make, "samverkan")
    forum.topic(forum.category(is_qa=False, theme="samverkan"))
    forum.topic(forum.category(is_qa=True))
    assert told(db, listener) == []
    with pytest.raises(services.ForumError):
        forum.category(is_qa=True, theme="inget-sadant-tema")


def test_the_category_form_sets_the_theme(db, make, login):
    admin = make.admin()
    client = login(admin)
    form = client.get("/forum/kategorier/ny").get_data(as_text=True)
    assert "Tema för frågor till experter" in form and "Samverkan" in form
    response = client.post("/forum/kategorier/ny", data={
        "name": "Rådgivning", "visibility": "members", "is_qa": "y", "theme": "samverkan"})
    assert response.status_code == 302
    category = db.session.scalar(select(Category).where(Category.name == "Rådgivning"))
    assert category.theme == "samverkan"
    edit = client.post(f"/forum/k/{category.id}/redigera", data={
        "name": "Rådgivning", "visibility": "members", "is_qa": "y", "theme": ""})
    assert edit.status_code == 302 and db.session.get(Category, category.id).theme is None
    bad = client.post(f"/forum/k/{category.id}/redigera", data={
        "name": "Rådgivning", "visibility": "members", "theme": "okänt"})
    assert bad.status_code == 400


def test_programme_staff_see_questions_unanswered_for_longer_than_the_setting(
        app, db, make, forum, login):
    staff = make.user(name="Programmets handläggare")
    staff.role = NetworkRole.STAFF
    category = forum.category(is_qa=True, theme="samverkan")
    old = utcnow() - dt.timedelta(days=app.config["EXPERT_UNANSWERED_DAYS"] + 1)
    stale = forum.topic(category, title="Gammal obesvarad fråga", now=old)
    answered = forum.topic(category, title="Gammal besvarad fråga", now=old)
    answer = forum.reply(answered)
    services.mark_answer(answered.author, answered, answer)
    forum.topic(category, title="Ny fråga")
    forum.topic(forum.category(is_qa=False), title="Gammal diskussion", now=old)
    page = experts.stale_questions(staff)
    assert [t.id for t in page.items] == [stale.id] and page.total == 1
    html = login(staff).get("/forum/expertfragor").get_data(as_text=True)
    assert "Gammal obesvarad fråga" in html and "Ny fråga" not in html
    assert "Samverkan" in html
    assert 'href="/forum/expertfragor"' in login(staff).get("/").get_data(as_text=True)


def test_members_may_not_see_the_staff_list(db, make, login):
    member = make.user()
    assert login(member).get("/forum/expertfragor").status_code == 403
    with pytest.raises(AccessDenied):
        experts.stale_questions(member)
    assert 'href="/forum/expertfragor"' not in login(member).get("/").get_data(as_text=True)


def test_answers_by_experts_on_the_theme_carry_a_text_badge(db, make, forum, login):
    category = forum.category(is_qa=True, theme="samverkan")
    topic = forum.topic(category)
    forum.reply(topic, author=expert(make, "samverkan", name="Eva Expert"), body="Svar från Eva")
    forum.reply(topic, author=expert(make, "grovt_vald", name="Gustav Annan"), body="Svar från Gustav")
    html = login(make.user()).get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert html.count('class="badge badge-expert"') == 1
    eva = html[html.index("Eva Expert"):html.index("Svar från Eva")]
    assert "Expert på Samverkan" in eva


def test_in_a_question_category_without_theme_every_expert_gets_the_plain_badge(db, make, forum, login):
    topic = forum.topic(forum.category(is_qa=True))
    forum.reply(topic, author=expert(make, "grovt_vald"))
    html = login(make.user()).get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert '<span class="badge badge-expert">Expert</span>' in html
    discussion = forum.topic(forum.category(is_qa=False, theme="grovt_vald"))
    forum.reply(discussion, author=expert(make, "grovt_vald"))
    html = login(make.user()).get(f"/forum/t/{discussion.id}").get_data(as_text=True)
    assert "badge-expert" not in html


def test_author_names_link_to_profiles_for_members_only(db, make, forum, login, client):
    author = make.user(name="Lisa Länkad")
    topic = forum.topic(forum.category(visibility="public"), author=author)
    db.session.commit()
    link = f'href="/medlemmar/{author.id}"'
    assert link in login(make.user()).get(f"/forum/t/{topic.id}").get_data(as_text=True)
    visitor = client.get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert "Lisa Länkad" in visitor and link not in visitor


def test_editing_a_category_without_naming_the_theme_keeps_it(db, make, forum):
    category = forum.category(is_qa=True, theme="samverkan")
    services.update_category(make.admin(), category, name="Nytt namn", description="",
                             is_qa=True, visibility=category.visibility)
    assert category.theme == "samverkan"
