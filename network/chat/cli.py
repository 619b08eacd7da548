"""``flask chat-say ROOM_ID TEXT``: post a system message into a room from the command line."""

from __future__ import annotations

import click
from flask import Flask, current_app

from network.chat import broadcast, services
from network.chat.services import ChatError
from network.extensions import db


@click.command("chat-say")
@click.argument("room_id", type=int)
@click.argument("text")
def chat_say(room_id: int, text: str) -> None:
    """Post TEXT as a system message in room ROOM_ID; every connected client sees it."""
    room = services.get_room(room_id)
    if room is None:
        raise click.ClickException(f"no chat room with id {room_id}")
    # No Socket.IO server runs in this process: publish to the Redis queue the servers listen on.
    broadcast.use_write_only_emitter(current_app)
    try:
        message = services.post_system_message(room, text)
    except ChatError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    if not current_app.config.get("REDIS_URL"):
        click.echo("REDIS_URL is not set: the message is stored and clients see it when they "
                   "next reconnect or reload.", err=True)
    click.echo(f"message {message.id} posted in room {room.id}")


def init_app(app: Flask) -> None:
    app.cli.add_command(chat_say)
