"""Live workshop chat: rooms, messages that survive reconnects, and the facilitator's tools."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from network.accounts.seed import register_seed
    from network.cache import register_neutral
    from network.chat import broadcast, cli, demo, state, views
    from network.chat.models import ChatMessage, ChatPollVote, ChatRaisedHand
    from network.chat.sockets import ChatNamespace
    from network.extensions import limiter, socketio
    from network.views import register_nav

    interval = float(app.config["CHAT_PRESENCE_INTERVAL"])
    app.extensions["chat"] = {**state.build_state(app.config, limiter.storage), "emitter": socketio,
                              "announcer": broadcast.PresenceAnnouncer(socketio, interval)}
    # Shown only in the live room, never on a cached page: a busy workshop (several messages a
    # second) would otherwise empty every page cache as often.
    register_neutral(ChatMessage, ChatPollVote, ChatRaisedHand)
    broadcast.listen()
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
    from network.chat.mentions import SUBJECT_TYPE
    from network.chat.permissions import can_view_room
    from network.notifications.services import register_subject_checker

    def _room_visible(user, room_id: int) -> bool:
        room = services.get_room(room_id)
        return room is not None and can_view_room(user, room)

    register_subject_checker(app, SUBJECT_TYPE, _room_visible)
