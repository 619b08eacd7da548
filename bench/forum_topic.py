"""A logged-in member reading a forum topic with 20 posts (one full page), Markdown and all."""

from __future__ import annotations

from pathlib import Path

from bench import harness

EMAIL = "bench.forum@example.se"
PASSWORD = "bench-forum-losenord-1"  # noqa: S105 - a throwaway account in a temporary database
NAME = "Forum Läsarsson"
TITLE = "Hur har ni fått med bostadsbolagen i lägesbilden?"

BODIES = [
    "Vi har **månatliga möten** med bostadsbolaget och polisen. Det viktigaste var:\n\n"
    "1. en gemensam lägesbild\n2. tydliga kontaktpersoner\n3. uppföljning varje kvartal",
    "> Det viktigaste var en gemensam lägesbild\n\nHåller med. Vi använde "
    "[Brås metodstöd](https://bra.se/) och det fungerade bra för oss i Ronna.",
    "| Åtgärd | Ansvarig | Klart |\n|---|---|--:|\n| Belysning | Bostadsbolaget | 2025 |\n"
    "| Trygghetsvandring | Kommunen | 2026 |",
    "Vi har också haft nytta av trygghetsmätningen. @forum.läsarsson, har ni gjort en sådan?",
]


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    with harness.app_context(instance_dir):
        topic_id = create_topic()
    return harness.Target(paths=[f"/forum/t/{topic_id}"],
                          headers=harness.login(base_url, EMAIL, PASSWORD), expect_text=TITLE)


def create_topic() -> int:
    from network.accounts import services as accounts
    from network.accounts.models import GroupKind, GroupRole, OrganisationType
    from network.extensions import db
    from network.forums import services as forums

    organisation = accounts.create_organisation(None, "Bänkby kommun", OrganisationType.KOMMUN,
                                                municipality_code="0180")
    reader = accounts.create_user(EMAIL, PASSWORD, NAME, organisation=organisation)
    people = [accounts.create_user(f"forum{n}@example.se", None, f"Skribent {n}",
                                   organisation=organisation) for n in range(5)]
    group = accounts.create_group(None, "Lokal samverkansgrupp Bänkby", GroupKind.LOCAL,
                                  municipality_code="0180")
    for person in [reader, *people]:
        accounts.add_member(None, group, person, GroupRole.MEMBER)
    accounts.add_member(None, group, people[0], GroupRole.FACILITATOR)  # facilitators add categories
    category = forums.create_category(people[0], "Samverkan", group=group)
    post, _ = forums.create_topic(people[0], category, TITLE, BODIES[0])
    for n in range(19):
        forums.reply(people[(n + 1) % 5], post.topic, BODIES[(n + 1) % len(BODIES)] + f"\n\n#{n}")
    db.session.commit()
    return post.topic_id
