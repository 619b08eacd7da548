"""Live workshop chat: rooms, messages that survive reconnects, and the facilitator's tools."""

from __future__ import annotations

from flask import Flask

from network.i18n import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from network.accounts.demo import register_seed
    from network.cache import register_neutral
    from network.chat import broadcast, cli, demo, revocation, state, views
    from network.chat.models import ChatMessage, ChatPollVote, ChatRaisedHand
    from network.chat.sockets import ChatNamespace
    from network.extensions import limiter, socketio
    from network.views import register_nav

    interval = float(app.config["CHAT_PRESENCE_INTERVAL"])
    app.extensions["chat"] = {**state.build_state(app.config, limiter.storage), "emitter": socketio,
                              "announcer": broadcast.PresenceAnnouncer(socketio, interval),
                              "sockets": revocation.build_registry(app.config)}
    # Shown only in the live room, never on a cached page: a busy workshop (several messages a
    # second) would otherwise empty every page cache as often.
    register_neutral(ChatMessage, ChatPollVote, ChatRaisedHand)
    broadcast.listen()
    revocation.listen()  # whoever loses access to a room leaves it on every open socket
    # The SocketIO object is shared by every app this process builds (tests build many) and
    # re-registers its namespaces on each init_app: register ours once.
    if not any(isinstance(h, ChatNamespace) for h in socketio.namespace_handlers):
        socketio.on_namespace(ChatNamespace(broadcast.NAMESPACE))
    app.register_blueprint(views.bp)
    cli.init_app(app)
    register_nav(app, "chat.index", _l("Workshoppar"), order=45, members_only=True)
    from network.chat import services
    from network.resources.services import register_link_kind

    register_link_kind(app, services.LINK_KIND, services.link_label)
    from network.events import register_event_extra

    register_event_extra(app, views.event_section)
    register_seed(app, demo.seed_chat)
    from network.cache import access_scope
    from network.chat.mentions import SUBJECT_TYPE
    from network.notifications.services import register_subject_filter

    # Rooms and groups (archiving) are structural: chat has no scope of its own. A registration
    # (the "registered" rooms' audience) raises its member's notification scope (network/events).
    register_subject_filter(app, SUBJECT_TYPE, _room_visible, scopes=(access_scope("events"),))

    from network.accounts.privacy import register_personal_data

    # Messages stay in their rooms after the account goes (shown as "Tidigare medlem").
    register_personal_data(app, "chat_messages", services.export_personal_data, lambda user: None)


def _room_visible(user, subject_id):
    """Notification subject filter (SQL): ``chat.permissions.can_view_room`` on the subject room:
    admins; the facilitators of its group; its group's members (a group room) or the people
    registered for its occurrence (a "registered" room), while the group is not archived."""
    from sqlalchemy import and_, false, or_, select, true

    from network import permissions
    from network.accounts.models import Group
    from network.chat.models import ChatRoom, JoinRule
    from network.events import registrations

    if permissions.is_admin(user):
        condition = true()
    elif not permissions.is_member(user):
        condition = false()
    else:
        roles = permissions.group_roles(user)
        facilitated = [gid for gid, role in roles.items() if role == permissions.FACILITATOR]
        registered = registrations.registered_event_ids_filter(user, ChatRoom.occurrence_id)
        in_audience = and_(Group.archived.is_(False), or_(
            and_(ChatRoom.join_rule != JoinRule.REGISTERED.value,
                 ChatRoom.group_id.in_(list(roles)) if roles else false()),
            and_(ChatRoom.join_rule == JoinRule.REGISTERED.value, registered)))
        condition = or_(ChatRoom.group_id.in_(facilitated) if facilitated else false(), in_audience)
    return (select(ChatRoom.id).join(Group, Group.id == ChatRoom.group_id)
            .where(ChatRoom.id == subject_id, condition))
