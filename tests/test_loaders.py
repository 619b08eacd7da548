"""Loading what a URL names (network/loaders.py): ids beyond an integer column are simply not found."""

import re

import pytest

from network.loaders import MAX_ID, digits_up_to, parse_id

TOO_LARGE = MAX_ID + 1


@pytest.mark.parametrize("url", [
    f"/grupper/{TOO_LARGE}",
    f"/evenemang/{TOO_LARGE}",
    f"/evenemang/serie/{TOO_LARGE}",
    f"/bibliotek/{TOO_LARGE}",
    f"/workshoppar/{TOO_LARGE}",
    f"/uppfoljning/atgard/{TOO_LARGE}",
    f"/medlemmar/{TOO_LARGE}",
    f"/admin/medlemmar/{TOO_LARGE}",
])
def test_an_id_larger_than_any_row_can_have_is_not_found(url, login, make):
    # On PostgreSQL such an id used to reach the integer column and fail there (a 500).
    client = login(make.user(admin=True))
    assert client.get(url).status_code == 404


def test_the_largest_possible_id_is_looked_up_and_not_found(login, make):
    client = login(make.user(admin=True))
    assert client.get(f"/grupper/{MAX_ID}").status_code == 404


def test_a_form_posted_to_a_too_large_id_is_not_found_either(login, make):
    client = login(make.user(admin=True))
    assert client.post(f"/forum/t/{TOO_LARGE}/svara", data={"body": "Hej"}).status_code == 404


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_api_answers_a_too_large_id_with_a_problem_document(client, method):
    response = client.open(f"/api/v1/forum/topics/{TOO_LARGE}/posts", method=method)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


@pytest.mark.parametrize("limit", [0, 7, 10, 305, 2000, MAX_ID])
def test_the_id_pattern_matches_exactly_the_numbers_up_to_its_limit(limit):
    pattern = re.compile(digits_up_to(limit) + r"\Z")
    numbers = [*range(0, 2500), limit - 1, limit, limit + 1, 10 * limit + 9, MAX_ID + 1, 10**12]
    assert [n for n in numbers if pattern.match(str(n))] == [n for n in numbers if 0 <= n <= limit]


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (12, 12), (str(MAX_ID), MAX_ID),
    (str(TOO_LARGE), None), ("0", None), ("-3", None), ("", None), (None, None), ("12a", None),
])
def test_an_id_from_user_input_is_a_positive_integer_within_the_column(raw, expected):
    assert parse_id(raw) == expected
