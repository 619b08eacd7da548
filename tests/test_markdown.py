"""network/markdown.py: the allowlist holds for any input, and pathological input is cheap."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.markdown import (
    ALLOWED_TAGS,
    MAX_NESTING,
    nesting_depth,
    plain_text,
    render_markdown,
)
from tests.html_safety import unsafe_markup


def test_markdown_features_people_use():
    html = render_markdown("# Rubrik\n\n**fet** *kursiv* ~~struken~~ `kod`\n\n- a\n- b\n\n"
                           "> citat\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n[länk](https://bra.se)")
    for fragment in ("<h3>Rubrik</h3>", "<strong>fet</strong>", "<em>kursiv</em>", "<s>struken</s>",
                     "<code>kod</code>", "<li>a</li>", "<blockquote>", '<th class="align-right">',
                     '<a href="https://bra.se" rel="nofollow ugc noopener">länk</a>'):
        assert fragment in html


def test_raw_html_is_text_not_markup():
    assert render_markdown("<b>hej</b>") == "<p>&lt;b&gt;hej&lt;/b&gt;</p>\n"


def test_images_become_links_and_no_image_is_ever_loaded():
    html = render_markdown("![karta](https://example.se/karta.png)")
    assert "<img" not in html
    assert '<a href="https://example.se/karta.png" rel="nofollow ugc noopener">karta</a>' in html


def test_only_web_and_mail_links_survive():
    assert 'href="mailto:a@b.se"' in render_markdown("[mejl](mailto:a@b.se)")
    assert 'href="/forum/inlagg/3"' in render_markdown("[citat](/forum/inlagg/3)")
    for url in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd"):
        assert "href" not in render_markdown(f"<{url}>") + render_markdown(f"[x]({url})")


def test_ten_thousand_nested_quotes_and_lists_render_and_are_measured():
    for text in ("> " * 10_000 + "x", "- " * 10_000 + "x", "1. " * 10_000 + "x",
                 "".join("  " * i + "- x\n" for i in range(3000))[:50_000], "[" * 50_000,
                 "*a " * 15_000, "`" * 50_000, "<" * 50_000):
        html = render_markdown(text)
        assert html.count("<blockquote>") <= MAX_NESTING and html.count("<ul>") <= MAX_NESTING
        assert unsafe_markup(html) == []
    assert nesting_depth("> " * 10_000) == 10_000
    assert nesting_depth("- " * 10_000) == 10_000
    assert nesting_depth("> - > citat") == 3 and nesting_depth("vanlig text - med streck") == 0


def test_plain_text_is_readable():
    assert plain_text(render_markdown("Hej **du**\n\n- a & b")) == "Hej du\n\na & b"


FRAGMENTS = st.sampled_from([
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "data:", "[", "]",
    "(", ")", "<", ">", '"', "'", "`", "```", "\n", "\n\n", "> ", "- ", "1. ", "# ", "|", "---",
    "*", "_", "~~", "![", "](", "<a href=", "onclick=", "style=", "<svg", "<iframe", "&#", ";",
    "&lt;", "http://", "mailto:", "\\", " ", "x", "å", "\u202e", "\x00", "\t", "<!--", "-->",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join))
def test_random_markdown_never_yields_disallowed_markup(text):
    html = render_markdown(text)
    assert unsafe_markup(html) == []


def test_allowlist_has_no_dangerous_tags():
    assert not ALLOWED_TAGS & {"script", "style", "iframe", "img", "svg", "math", "form", "input",
                               "object", "embed", "link", "meta", "base"}
