"""GET /items: the ItemPage envelope, every sort with its id tie-break, the filters, the query's 422s."""

from __future__ import annotations

import pytest

from tests.problem import error_pairs

SORTS = ["id", "-id", "title", "-title", "price", "-price", "created_at", "-created_at"]


@pytest.fixture
def catalogue(create):
    rows = [("b", 10.0), ("B", 2.5), ("a", 10.0), ("\u00e9", 999999.0), ("Z", 1.0), ("b", 2.5)]
    return [create(title=f"cat-{suffix}", price=price) for suffix, price in rows]


def listed(client, **params) -> dict:
    response = client.get("/items", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_breaks_ties_by_id_ascending(client, catalogue, sort):
    field = sort.lstrip("-")
    expected = sorted(sorted(catalogue, key=lambda i: i["id"]), key=lambda i: i[field], reverse=sort.startswith("-"))
    assert [i["id"] for i in listed(client, sort=sort)["items"]] == [i["id"] for i in expected]


def test_title_sorts_by_code_point(client, catalogue):
    titles = [item["title"].removeprefix("cat-") for item in listed(client, sort="title")["items"]]
    assert titles == ["B", "Z", "a", "b", "b", "\u00e9"]


def test_page_envelope(client, catalogue):
    page = listed(client, limit=4, offset=4)
    assert (page["total"], page["limit"], page["offset"]) == (6, 4, 4)
    assert [i["id"] for i in page["items"]] == [i["id"] for i in catalogue][4:]
    assert listed(client, offset=2**63 - 1) == {"items": [], "total": 6, "limit": 20, "offset": 2**63 - 1}
    assert listed(client, limit="05", offset="00")["limit"] == 5


def test_q_is_a_literal_substring_folding_ascii_only(client, catalogue, create):
    assert listed(client, q="CAT-B")["total"] == 3
    assert listed(client, q="cat-\u00e9")["total"] == 1
    assert listed(client, q="cat-\u00c9")["total"] == 0
    create(title="50%_off", price=1)
    create(title="50xxoff", price=1)
    assert listed(client, q="50%_")["total"] == 1
    assert listed(client, q="0_")["total"] == 0
    assert listed(client, q="\\")["total"] == 0


def test_price_filters_are_inclusive(client, catalogue):
    page = listed(client, min_price="2.5", max_price="1E1")
    assert sorted(item["price"] for item in page["items"]) == [2.5, 2.5, 10.0, 10.0]
    assert listed(client, min_price=11, max_price=10)["total"] == 0


def test_last_of_a_repeated_parameter_counts(client, catalogue):
    assert listed(client, limit=["abc", 3])["limit"] == 3


@pytest.mark.parametrize(
    ("params", "pair"),
    [
        ({"limit": "0"}, ("limit", "too_small")),
        ({"limit": "101"}, ("limit", "too_large")),
        ({"limit": "1.0"}, ("limit", "wrong_type")),
        ({"limit": "+5"}, ("limit", "wrong_type")),
        ({"limit": "\u0665"}, ("limit", "wrong_type")),
        ({"limit": ""}, ("limit", "wrong_type")),
        ({"offset": "-1"}, ("offset", "too_small")),
        ({"offset": str(2**63)}, ("offset", "too_large")),
        ({"sort": "colour"}, ("sort", "invalid_choice")),
        ({"min_price": "nan"}, ("min_price", "wrong_type")),
        ({"max_price": "inf"}, ("max_price", "wrong_type")),
        ({"max_price": "1_0"}, ("max_price", "wrong_type")),
        ({"min_price": "1e400"}, ("min_price", "too_large")),
        ({"max_price": "-1"}, ("max_price", "too_small")),
        ({"q": "x" * 201}, ("q", "too_long")),
        ({"q": "a\x00b"}, ("q", "invalid_value")),
    ],
)
def test_bad_query_parameter_is_422_naming_it(client, params, pair):
    assert error_pairs(client.get("/items", params)) == {pair}


def test_every_bad_parameter_is_reported_at_once(client):
    pairs = error_pairs(client.get("/items", {"limit": "0", "sort": "x", "min_price": "abc"}))
    assert pairs == {("limit", "too_small"), ("sort", "invalid_choice"), ("min_price", "wrong_type")}


def test_the_query_belongs_to_the_list_only(client, create):
    item = create(title="pen", price=1)
    assert client.get(f"/items/{item['id']}", {"sort": "bad", "q": "nothing like it"}).status_code == 200
