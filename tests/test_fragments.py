"""Parts of pages shared by readers who see them alike (network/fragments.py)."""

from __future__ import annotations

import pytest
from flask import render_template_string

from network import cache
from network.fragments import SharedRenderingError, shared


def _part(app, reader, scopes=("resources",), lang="sv", body="del"):
    calls = []

    def render() -> str:
        calls.append(reader)
        return f"<p>{body}</p>"

    with app.test_request_context(headers={"Accept-Language": lang}):
        html = shared("test:part", reader, scopes, render)
    return html, calls


def test_a_part_is_rendered_once_for_readers_of_one_key(app):
    first, calls = _part(app, ("member", (1,)))
    again, more = _part(app, ("member", (1,)))
    assert str(first) == str(again) == "<p>del</p>" and calls and not more
    _other, other = _part(app, ("member", (2,)))
    assert other  # another visibility scope is another rendering
    _english, english = _part(app, ("member", (1,)), lang="en")
    assert english  # and so is another language


def test_a_write_to_its_scopes_renders_it_anew_and_other_writes_do_not(app):
    _part(app, ("visitor",))
    with app.app_context():
        cache.cache().generation.bump_scopes(("events",), data=True)
    assert not _part(app, ("visitor",))[1]  # the calendar changed: the library's part stays
    with app.app_context():
        cache.cache().generation.bump_scopes(("resources",), data=True)
    assert _part(app, ("visitor",))[1]
    with app.app_context():
        cache.cache().generation.bump_scopes((cache.STRUCTURAL,), data=True)
    assert _part(app, ("visitor",))[1]  # accounts, groups, memberships: everything anew


def test_a_part_holding_a_form_token_is_never_shared(app):
    def render() -> str:
        return render_template_string(
            '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
            "</form>")

    with app.test_request_context(), pytest.raises(SharedRenderingError):
        shared("test:form", ("visitor",), (), render)
