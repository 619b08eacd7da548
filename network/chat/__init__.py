"""Live workshop chat: rooms, messages that survive reconnects, and the facilitator's tools."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from network.accounts.seed import register_seed
    from network.cache import register_neutral
    from network.chat import broadcast, cli, demo, revocation, state, views
    from network.chat.models import ChatMessage, ChatPollVote, ChatRaisedHand
    from network.chat.sockets import ChatNamespace
    from network.extensions import socketio
    from network.views import register_nav

    interval = float(app.config.get("CHAT_PRESENCE_INTERVAL", 1.0))
    app.extensions["chat"] = {**state.build_state(app.config), "emitter": socketio,
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
    from network.accounts.privacy import register_personal_data

    # Messages stay in their rooms after the account goes (shown as "Tidigare medlem").
    register_personal_data(app, "chat_messages", services.export_personal_data, lambda user: None)
