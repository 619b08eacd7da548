"""Ask-the-expert (rådgivning): answers, the unanswered list, the answer shown first."""

from __future__ import annotations

from sqlalchemy import select

from network.forums.models import Post


def test_answered_question_shows_the_answer_first(forum, make, login, db):
    asker = make.user()
    category = forum.category(is_qa=True)
    topic = forum.topic(category, author=asker, title="Hur får vi med bostadsbolaget?")
    for i in range(3):
        forum.reply(topic, body=f"förslag {i}")
    best = forum.reply(topic, body="Bjud in dem till lägesbildsmötet")
    client = login(asker)
    assert client.post(f"/forum/t/{topic.id}/svar", data={"post_id": best.id}).status_code == 302
    page = client.get(f"/forum/t/{topic.id}").data.decode()
    assert page.index("Bjud in dem till lägesbildsmötet") < page.index("förslag 0")
    assert "Lösning" in page and "Besvarad" in page


def test_only_the_asker_or_a_facilitator_marks_the_answer(forum, make, login, db):
    topic = forum.topic(forum.category(is_qa=True))
    post = forum.reply(topic)
    assert login(make.user()).post(f"/forum/t/{topic.id}/svar",
                                   data={"post_id": post.id}).status_code == 403


def test_answer_must_be_a_reply_in_the_same_topic(forum, make, login, db):
    asker = make.user()
    category = forum.category(is_qa=True)
    topic = forum.topic(category, author=asker)
    other = forum.reply(forum.topic(category))
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    client = login(asker)
    assert client.post(f"/forum/t/{topic.id}/svar", data={"post_id": other.id}).status_code == 400
    assert client.post(f"/forum/t/{topic.id}/svar", data={"post_id": first.id}).status_code == 400


def test_ordinary_categories_have_no_answers(forum, make, login):
    asker = make.user()
    topic = forum.topic(forum.category(), author=asker)
    post = forum.reply(topic)
    assert login(asker).post(f"/forum/t/{topic.id}/svar",
                             data={"post_id": post.id}).status_code == 403


def test_unanswered_questions_list_for_experts(forum, make, login, db):
    asker = make.user()
    qa = forum.category(is_qa=True, name="Fråga experten")
    open_question = forum.topic(qa, title="Obesvarad fråga om nyrekrytering")
    answered = forum.topic(qa, author=asker, title="Besvarad fråga")
    forum.topic(forum.category(), title="Vanlig diskussion")
    from network.forums import services

    services.mark_answer(asker, answered, forum.reply(answered))
    db.session.commit()
    client = login(make.user())
    page = client.get("/forum/obesvarade").data.decode()
    assert "Obesvarad fråga om nyrekrytering" in page
    assert "Besvarad fråga" not in page and "Vanlig diskussion" not in page
    filtered = client.get(f"/forum/k/{qa.id}?visa=obesvarade").data.decode()
    assert "Obesvarad fråga" in filtered and "Besvarad fråga" not in filtered
    assert open_question.answer_post_id is None
