"""What the forums add to a person's data export and erase with the account
(network/forums/personal_data.py)."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from network.accounts import privacy
from network.forums import services
from network.forums.models import Post, TopicRead, TopicWatch
from network.resources.services import Upload
from tests.resources.conftest import make_pdf


def test_posts_come_with_their_earlier_versions_and_attachments(db, make, forum, login):
    author, other = make.user(), make.user()
    category = forum.category()
    first, _ = services.create_topic(
        author, category, "Samverkan med skolan", "Första versionen",
        attachments=services.Attachments(uploads=[Upload(io.BytesIO(make_pdf()), "plan.pdf")]))
    services.edit_post(author, first, "Andra versionen")
    services.edit_post(author, first, "Tredje versionen", title="Samverkan med skolorna")
    forum.reply(first.topic, author=other, body="Någon annans svar")
    db.session.commit()

    data = json.loads(login(author).get("/profil/mina-uppgifter.json").data)
    [post] = data["forums"]["posts"]
    assert post["body"] == "Tredje versionen" and post["address"] == f"/forum/inlagg/{first.id}"
    assert [v["body"] for v in post["earlier_versions"]] == ["Första versionen", "Andra versionen"]
    assert [t["title"] for t in data["forums"]["topics_started"]] == ["Samverkan med skolorna"]
    assert "Någon annans svar" not in json.dumps(data)
    [upload] = data["library"]["files_uploaded"]
    assert upload["filename"] == "plan.pdf"
    assert upload["attached_to"] == [{"kind": "forum_post", "id": first.id}]
    assert upload["download_url"].endswith(f"/fil/{upload['id']}/plan.pdf")


def test_deleting_the_account_removes_watches_and_read_positions_and_keeps_posts(db, make, forum):
    author = make.user()
    topic = forum.topic(author=author)
    assert db.session.scalar(select(func.count()).select_from(TopicWatch)
                             .where(TopicWatch.user_id == author.id)) == 1
    privacy.erase_account(author)
    for model in (TopicWatch, TopicRead):
        assert db.session.scalar(select(func.count()).select_from(model)
                                 .where(model.user_id == author.id)) == 0
    assert db.session.scalar(select(Post.body).where(Post.topic_id == topic.id)) == \
        "Första inlägget"
