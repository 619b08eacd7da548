import pytest

from network import permissions
from network.accounts.models import Group
from network.extensions import db
from network.notifications.services import register_subject_checker


@pytest.fixture
def group_subjects(app):
    """Notifications about a group (subject_type "test_group"), visible to who can view it."""

    def can_view(user, group_id):
        group = db.session.get(Group, group_id)
        return group is not None and permissions.can_view_group(user, group)

    register_subject_checker(app, "test_group", can_view)
    return "test_group"
