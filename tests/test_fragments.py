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


def _form(app, render):
    from flask_wtf.csrf import generate_csrf

    from network.fragments import with_slots

    counter = iter(range(100))
    with app.test_request_context():
        html = with_slots("test:slots", ("visitor",), (), render,
                          {"csrf": generate_csrf, "key": lambda: f"<{next(counter)}>"})
        return str(html), generate_csrf()


def test_a_form_is_shared_with_each_response_s_token_and_values_in_its_slots(app):
    renders = []

    def render(values) -> str:
        renders.append(values)
        return render_template_string(
            '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf }}">'
            '<input type="hidden" name="key" value="{{ key }}"></form>', **values)

    first, first_token = _form(app, render)
    second, second_token = _form(app, render)
    assert len(renders) == 1  # rendered once, filled twice
    assert first_token != second_token
    assert f'value="{first_token}"' in first and first_token not in second
    assert f'value="{second_token}"' in second
    assert 'value="&lt;0&gt;"' in first  # each value escaped as the template would have
    assert "\ue004" not in first + second


def test_a_form_with_the_session_s_own_token_is_never_shared(app):
    def render(_values) -> str:
        return render_template_string('<input type="hidden" name="csrf_token" '
                                      'value="{{ csrf_token() }}">')

    with pytest.raises(SharedRenderingError):
        _form(app, render)
