"""GET /items: the page envelope, every sort with its id tie-break, and the filters."""

from __future__ import annotations

from itertools import pairwise
from urllib.parse import urlencode

import pytest

from contract_tests import clauses
from contract_tests.support import create, error_pairs, expect, instant

SORTS = ["id", "-id", "title", "-title", "price", "-price", "created_at", "-created_at"]


@pytest.fixture
def catalogue(client, prefix):
    """Items under one prefix, with equal titles and equal prices to exercise the tie-break."""
    rows = [
        ("b", 10.0),
        ("B", 2.5),
        ("a", 10.0),
        ("\u00e9", 999999.0),  # é: after every ASCII letter by code point
        ("Z", 1.0),
        ("b", 2.5),
    ]
    return [create(client, title=f"{prefix}-{suffix}", price=price) for suffix, price in rows]


def sort_key(item, field):
    value = item[field]
    return instant(value) if field == "created_at" else value


def assert_creation_order(items):
    """``items``, created one after another, hold ``created_at`` values that never go back as the ids rise."""
    stamps = [item["created_at"] for item in sorted(items, key=lambda item: item["id"])]
    assert all(instant(a) <= instant(b) for a, b in pairwise(stamps)), (
        f"items created one after another, in id order, got created_at {stamps}; the spec requires "
        f"{clauses.saying('`created_at` is the order in')}"
    )


def expected_order(items, sort):
    field = sort.lstrip("-")
    by_id = sorted(items, key=lambda item: item["id"])
    # Stable sort on the key alone keeps ids ascending among ties, in both directions.
    ordered = sorted(by_id, key=lambda item: sort_key(item, field), reverse=sort.startswith("-"))
    return [item["id"] for item in ordered]


def listed(client, **params):
    response = client.get("/items", params=params)
    expect(response, 200)
    return response.json()


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_breaks_ties_by_id_ascending(client, prefix, catalogue, sort):
    # A created_at tie needs two items created in the same instant, which no client can arrange: its tie-break is
    # exercised on a server whose clock gives one. What holds on every server is the creation order, checked
    # first, so that created_at lists the ids ascending and -created_at descending (ties: ascending), as expected.
    if sort.lstrip("-") == "created_at":
        assert_creation_order(catalogue)
    page = listed(client, q=prefix, sort=sort)
    assert [item["id"] for item in page["items"]] == expected_order(catalogue, sort)


@pytest.mark.parametrize("sort", ["created_at", "-created_at"])
def test_created_at_order_is_creation_order_whatever_updates_came_after(client, prefix, sort):
    items = [create(client, title=f"{prefix}-{number}", price=1) for number in range(4)]
    for item in (items[1], items[0]):  # the oldest changed last: updated_at order is now 3, 4, 2, 1
        expect(client.patch(f"/items/{item['id']}", json={"quantity": 5}), 200)
    now = [expect(client.get(f"/items/{item['id']}"), 200).json() for item in items]
    assert [item["created_at"] for item in now] == [item["created_at"] for item in items], "created_at moved"
    assert_creation_order(now)
    got = [item["id"] for item in listed(client, q=prefix, sort=sort)["items"]]
    assert got == expected_order(now, sort), (
        f"sort={sort} after updating the two oldest items listed {got}, not {expected_order(now, sort)} "
        f"(created_at {[item['created_at'] for item in now]}, updated_at {[item['updated_at'] for item in now]}); "
        f"the spec requires {clauses.saying('`created_at` is the order in')}"
    )


def test_default_sort_is_id(client, prefix, catalogue):
    assert [item["id"] for item in listed(client, q=prefix)["items"]] == sorted(i["id"] for i in catalogue)


def test_title_sorts_by_code_point(client, prefix, catalogue):
    titles = [item["title"] for item in listed(client, q=prefix, sort="title")["items"]]
    assert [t.removeprefix(prefix + "-") for t in titles] == ["B", "Z", "a", "b", "b", "\u00e9"]


def test_page_envelope_counts_every_match(client, prefix, catalogue):
    page = listed(client, q=prefix)
    assert set(page) == {"items", "total", "limit", "offset"}
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (6, 20, 0, 6)
    page = listed(client, q=prefix, limit=4, offset=0)
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (6, 4, 0, 4)
    page = listed(client, q=prefix, limit=4, offset=4)
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (6, 4, 4, 2)
    assert [i["id"] for i in page["items"]] == sorted(i["id"] for i in catalogue)[4:]
    page = listed(client, q=prefix, offset=100)
    assert (page["total"], page["items"]) == (6, [])


def test_limit_and_offset_at_their_bounds(client, prefix, catalogue):
    assert listed(client, q=prefix, limit=1)["limit"] == 1
    assert listed(client, q=prefix, limit=100)["limit"] == 100
    page = listed(client, q=prefix, offset=9223372036854775807)
    assert (page["total"], page["items"]) == (6, [])


def test_q_folds_ascii_case_only(client, prefix, catalogue):
    assert listed(client, q=prefix.upper())["total"] == 6
    assert listed(client, q=f"{prefix}-b")["total"] == 3  # b, B and b
    assert listed(client, q=f"{prefix}-\u00e9")["total"] == 1
    assert listed(client, q=f"{prefix}-\u00c9")["total"] == 0  # É does not fold to é


def test_q_is_a_literal_substring_not_a_pattern(client, prefix):
    create(client, title=f"{prefix}-50%_off", price=1)
    create(client, title=f"{prefix}-50xxoff", price=1)
    assert listed(client, q=f"{prefix}-50%_")["total"] == 1
    assert listed(client, q=f"{prefix}_")["total"] == 0
    assert listed(client, q=f"{prefix}%")["total"] == 0


def test_price_filters_are_inclusive(client, prefix, catalogue):
    page = listed(client, q=prefix, min_price=2.5, max_price=10)
    assert sorted(item["price"] for item in page["items"]) == [2.5, 2.5, 10.0, 10.0]
    assert page["total"] == 4
    assert listed(client, q=prefix, min_price=999999)["total"] == 1
    assert listed(client, q=prefix, max_price=1)["total"] == 1
    assert listed(client, q=prefix, min_price=0)["total"] == 6
    assert listed(client, q=prefix, min_price=11, max_price=10)["total"] == 0


@pytest.mark.parametrize(
    ("params", "pair"),
    [
        ({"limit": "0"}, ("limit", "too_small")),
        ({"limit": "101"}, ("limit", "too_large")),
        ({"limit": "abc"}, ("limit", "wrong_type")),
        ({"limit": "3.5"}, ("limit", "wrong_type")),
        ({"offset": "-1"}, ("offset", "too_small")),
        ({"offset": "9223372036854775808"}, ("offset", "too_large")),
        ({"sort": "colour"}, ("sort", "invalid_choice")),
        ({"sort": "-"}, ("sort", "invalid_choice")),
        ({"min_price": "abc"}, ("min_price", "wrong_type")),
        ({"min_price": "nan"}, ("min_price", "wrong_type")),
        ({"max_price": "inf"}, ("max_price", "wrong_type")),
        ({"max_price": "-1"}, ("max_price", "too_small")),
        ({"min_price": "1000000.5"}, ("min_price", "too_large")),
        ({"q": "x" * 201}, ("q", "too_long")),
        ({"q": "a\x00b"}, ("q", "invalid_value")),
        # Query numbers are written as JSON writes them, in ASCII (the spec's description).
        ({"min_price": "1e400"}, ("min_price", "too_large")),
        *[({"limit": text}, ("limit", "wrong_type")) for text in ["", "5_0", "+5", " 5", "0x10", "1.0", "\u0665"]],
        *[({"max_price": text}, ("max_price", "wrong_type")) for text in ["", "1_0", "+1", " 1", "0x10", "\u0661"]],
    ],
    ids=lambda value: urlencode(value) if isinstance(value, dict) else value[1],
)
def test_bad_query_parameter_is_422_naming_it(client, params, pair):
    assert error_pairs(client.get("/items", params=params)) == {pair}


def test_query_numbers_may_have_leading_zeros_and_exponents(client, prefix, catalogue):
    page = listed(client, q=prefix, limit="05", offset="00", min_price="2.5e0", max_price="1E1")
    assert (page["limit"], page["offset"], page["total"]) == (5, 0, 4)
    page = listed(client, q=prefix, min_price="0002.5", max_price="010")  # the spec: leading zeros, as integers
    assert (page["total"], sorted(item["price"] for item in page["items"])) == (4, [2.5, 2.5, 10.0, 10.0])


def test_plus_in_the_query_string_is_a_space(client, prefix):
    # The spec: the query string is form-encoded, as a browser's search form sends it.
    create(client, title=f"{prefix} red apple", price=1)
    create(client, title=f"{prefix} c++", price=1)
    for target, titles in (
        (f"/items?q={prefix}+red+apple", [f"{prefix} red apple"]),
        (f"/items?q={prefix}%20red%20apple", [f"{prefix} red apple"]),
        (f"/items?q={prefix}+c%2B%2B", [f"{prefix} c++"]),
        (f"/items?q={prefix}+c++", []),  # "c  " (two spaces): no title holds it
    ):
        response = client.get(target)
        expect(response, 200)
        assert [item["title"] for item in response.json()["items"]] == titles, target


def test_a_repeated_query_parameter_counts_with_its_last_value(client, prefix, catalogue):
    # Settled in the spec's description: Starlette and Django read the last value, webargs the first.
    response = client.get(f"/items?q={prefix}&limit=abc&limit=2&sort=colour&sort=-price")
    expect(response, 200)
    page = response.json()
    assert page["limit"] == 2
    assert [item["price"] for item in page["items"]] == [999999.0, 10.0]
    assert error_pairs(client.get("/items?limit=5&limit=abc")) == {("limit", "wrong_type")}


def test_unknown_query_parameters_are_ignored(client, prefix, catalogue):
    assert listed(client, q=prefix, colour="red", limit=3)["total"] == 6
