"""GET /items: the ItemPage envelope, sorting with its id tie-break, filters and bad parameters."""

from __future__ import annotations

import pytest

from tests.support import error_pairs

ROWS = [("b", 10.0), ("B", 2.5), ("a", 10.0), ("\u00e9", 999_999.0), ("Z", 1.0), ("b", 2.5)]


@pytest.fixture
def catalogue(create):
    return [create(title=title, price=price) for title, price in ROWS]


def listed(client, **params) -> dict:
    response = client.get("/items", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(page: dict) -> list[int]:
    return [item["id"] for item in page["items"]]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("id", [1, 2, 3, 4, 5, 6]),
        ("-id", [6, 5, 4, 3, 2, 1]),
        ("title", [2, 5, 3, 1, 6, 4]),  # B Z a b b é: code points, not the locale
        ("-title", [4, 1, 6, 3, 5, 2]),
        ("price", [5, 2, 6, 1, 3, 4]),
        ("-price", [4, 1, 3, 2, 6, 5]),
        ("created_at", [1, 2, 3, 4, 5, 6]),
        ("-created_at", [6, 5, 4, 3, 2, 1]),
    ],
)
def test_sorts_break_ties_by_id_ascending(client, catalogue, sort, expected):
    assert ids(listed(client, sort=sort)) == expected


def test_page_envelope_counts_every_match(client, catalogue):
    assert listed(client) | {"items": None} == {"items": None, "total": 6, "limit": 20, "offset": 0}
    page = listed(client, limit=4, offset=4)
    assert (ids(page), page["total"], page["limit"], page["offset"]) == ([5, 6], 6, 4, 4)
    assert listed(client, offset=2**63 - 1)["items"] == []


def test_q_is_a_literal_substring_folding_ascii_case_only(client, catalogue, create):
    assert ids(listed(client, q="B")) == [1, 2, 6]
    assert ids(listed(client, q="\u00e9")) == [4]
    assert ids(listed(client, q="\u00c9")) == []  # É does not fold to é
    create(title="50%_off", price=1)
    create(title="50xxoff", price=1)
    assert listed(client, q="50%_")["total"] == 1
    assert listed(client, q="%")["total"] == 1
    assert listed(client, q="_")["total"] == 1


def test_price_filters_are_inclusive(client, catalogue):
    assert ids(listed(client, min_price=2.5, max_price=10)) == [1, 2, 3, 6]
    assert ids(listed(client, min_price=999_999)) == [4]
    assert listed(client, min_price=11, max_price=10)["total"] == 0


def test_query_numbers_take_leading_zeros_and_exponents(client, catalogue):
    page = listed(client, limit="05", offset="00", min_price="2.5e0", max_price="1E1")
    assert (page["limit"], page["offset"], page["total"]) == (5, 0, 4)


def test_unknown_query_parameters_are_ignored_and_the_last_repeat_wins(client, catalogue):
    assert listed(client, colour="red")["total"] == 6
    assert client.get("/items", params=[("limit", "1"), ("limit", "2")]).json()["limit"] == 2


@pytest.mark.parametrize(
    ("params", "pair"),
    [
        ({"limit": "0"}, ("limit", "too_small")),
        ({"limit": "101"}, ("limit", "too_large")),
        ({"offset": "-1"}, ("offset", "too_small")),
        ({"offset": "9223372036854775808"}, ("offset", "too_large")),
        ({"sort": "colour"}, ("sort", "invalid_choice")),
        ({"max_price": "-1"}, ("max_price", "too_small")),
        ({"min_price": "1000000.5"}, ("min_price", "too_large")),
        ({"min_price": "1e400"}, ("min_price", "too_large")),
        ({"q": "x" * 201}, ("q", "too_long")),
        ({"q": "a\x00b"}, ("q", "invalid_value")),
        *[
            ({"limit": text}, ("limit", "wrong_type"))
            for text in ["abc", "3.5", "", "5_0", "+5", " 5", "1.0", "\u0665"]
        ],
        *[({"min_price": text}, ("min_price", "wrong_type")) for text in ["abc", "nan", "inf", "1_0", "+1", "0x10"]],
    ],
)
def test_bad_query_parameter_is_422_naming_it(client, params, pair):
    assert error_pairs(client.get("/items", params=params)) == {pair}
