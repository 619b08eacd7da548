import pytest
from sqlalchemy import select

from network.accounts.models import Group
from network.accounts.permissions import visible_groups_filter
from network.notifications.services import register_subject_filter


@pytest.fixture
def group_subjects(app):
    """Notifications about a group (subject_type "test_group"), visible to who can view it."""

    def can_view(user, subject_id):
        return select(Group.id).where(Group.id == subject_id, visible_groups_filter(user))

    register_subject_filter(app, "test_group", can_view, scopes=())
    return "test_group"
