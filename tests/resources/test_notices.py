"""New and updated material notifies the group's members who may see it (resources/notices.py)."""

import io

from network.accounts.models import GroupVisibility
from network.notifications.models import Notification
from network.notifications.services import notifications_for
from network.resources import services
from tests.resources.conftest import make_pdf


def _kinds(db, user):
    return [(n.kind, n.title) for n in db.session.query(Notification).filter_by(user_id=user.id)
            .order_by(Notification.id)]


def test_members_hear_of_new_material_in_their_group_and_the_author_does_not(db, library, make):
    author, anna, outsider = make.user(), make.user(), make.user()
    group = make.group(members=[author, anna])
    resource = library.resource(author, title="Metodstöd för trygghetsvandringar", group=group)
    db.session.commit()
    assert _kinds(db, anna) == [
        ("resource.new", "Nytt i gruppens bibliotek: Metodstöd för trygghetsvandringar")]
    assert notifications_for(anna)[0].url == services.resource_url(resource.id)
    assert _kinds(db, author) == [] and _kinds(db, outsider) == []


def test_an_update_and_a_new_version_notify_again(db, library, make):
    author, anna = make.user(), make.user()
    group = make.group(members=[author, anna])
    resource = library.resource(author, title="Lägesbild", group=group)
    services.update_resource(author, resource, title="Lägesbild 2026", type="metodstod",
                             visibility="members")
    services.add_version(author, resource, [services.Upload(io.BytesIO(make_pdf()), "ny.pdf")])
    db.session.commit()
    assert [k for k, _t in _kinds(db, anna)] == ["resource.new", "resource.updated", "resource.updated"]


def test_each_member_reads_the_title_in_their_own_language(db, library, make):
    author, english = make.user(), make.user()
    english.locale = "en"
    group = make.group(members=[author, english])
    library.resource(author, title="Guide", group=group)
    db.session.commit()
    assert _kinds(db, english) == [("resource.new", "New in the group's library: Guide")]


def test_nobody_hears_of_material_they_cannot_see(db, library, make):
    """Material outside groups notifies nobody; a member who left hears nothing more."""
    author, anna = make.user(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[author, anna])
    library.resource(author, title="Utan grupp")
    db.session.commit()
    assert _kinds(db, anna) == []
    from network.accounts.services import remove_member

    remove_member(None, group, anna)
    library.resource(author, title="Efter att Anna gick", group=group)
    db.session.commit()
    assert _kinds(db, anna) == []


def test_a_notice_about_group_material_disappears_when_the_member_leaves(db, library, make):
    author, anna = make.user(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[author, anna])
    library.resource(author, title="Internt underlag", visibility="group", group=group)
    db.session.commit()
    assert [n.kind for n in notifications_for(anna)] == ["resource.new"]
    from network.accounts.services import remove_member

    remove_member(None, group, anna)
    db.session.commit()
    assert notifications_for(anna) == []
