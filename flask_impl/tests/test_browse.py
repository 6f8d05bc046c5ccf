"""The browse page at /: the rows of GET /items with the same parameters, the search form, links, and 422s."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from items_flask.db import db
from items_flask.models import Item
from tests.problem import assert_problem


# region: tests
class Page(HTMLParser):
    """What the browser test reads off the page: rows, total, links, the search form's inputs, the errors."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.rows: list[tuple[int, list[str]]] = []
        self.headers: list[str] = []
        self.links: dict[str, str] = {}
        self.inputs: dict[str, tuple[str, str]] = {}
        self.errors: list[str] = []
        self.total: str | None = None
        self.title = self.h1 = ""
        self.tables = self.forms = 0
        self._text: list[str] | None = None
        self._in: str | None = None
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr" and "data-id" in attributes:
            self.rows.append((int(attributes["data-id"] or 0), []))
        elif tag in ("td", "th", "li", "title", "h1") or (tag == "span" and attributes.get("id") == "total"):
            self._in, self._text = tag if tag != "span" else "total", []
        elif tag == "a" and attributes.get("rel"):
            self.links[attributes["rel"] or ""] = attributes["href"] or ""
        elif tag == "input":
            self.inputs[attributes["name"] or ""] = (attributes.get("type") or "", attributes.get("value") or "")
        elif tag == "table" and attributes.get("id") == "items":
            self.tables += 1
        elif tag == "form" and attributes.get("role") == "search":
            self.forms += 1
            assert (attributes["method"], attributes["action"]) == ("get", "/")

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._text is None or tag not in ("td", "th", "li", "title", "h1", "span"):
            return
        text, kind = "".join(self._text).strip(), self._in
        self._text = self._in = None
        if kind == "td":
            self.rows[-1][1].append(text)
        elif kind == "th":
            self.headers.append(text)
        elif kind == "li":
            self.errors.append(text)
        elif kind == "total":
            self.total = text
        else:
            setattr(self, kind or "", text)


def browse(client, **params) -> Page:
    response = client.get("/", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "text/html; charset=utf-8"
    return Page(response.get_data(as_text=True))


def expected_rows(client, **params) -> list[tuple[int, list[str]]]:
    """``GET /items`` with the same parameters, as the page's cells should read: the API's numbers as it writes them."""
    page = client.get("/items", query_string=params).get_json()
    return [
        (item["id"], [item["title"], str(item["price"]), str(item["quantity"]), item["owner"] or ""])
        for item in page["items"]
    ]


@pytest.fixture
def catalogue(create, make_user, anonymous):
    other = make_user("other")
    for title, price in [("red pen", 2.5), ("blue pen", 1.0), ("ink", 1e-7), ("Pencil", 1000000), ("pad", 3.25)]:
        create(title=title, price=price, quantity=3)
    anonymous.post("/items", json={"title": "other's pen", "price": 2}, headers=other.headers)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "-price"},
        {"q": "PEN", "sort": "title"},
        {"limit": "2", "offset": "2"},
        {"owner": "other"},
        {"min_price": "1", "max_price": "2.5", "sort": "-title"},
        {"offset": "99"},
    ],
)
def test_the_page_lists_the_rows_of_get_items_in_its_order(anonymous, catalogue, params):
    page = browse(anonymous, **params)
    assert page.rows == expected_rows(anonymous, **params)
    assert page.total == str(anonymous.get("/items", query_string=params).get_json()["total"])
    assert page.headers == ["Title", "Price", "Quantity", "Owner"]
    assert page.title and page.h1 and page.tables == 1 and page.forms == 1


def test_prices_read_as_the_api_writes_them_and_no_owner_is_an_empty_cell(app, anonymous, catalogue):
    prices = [cells[1] for _, cells in browse(anonymous, sort="price").rows]
    assert prices == ["1e-07", "1.0", "2.0", "2.5", "3.25", "1000000.0"]
    with app.app_context():  # an item with no owner, as those that predate accounts
        db.session.add(Item.create({"title": "no one's", "price": 1.5, "quantity": 0}, owner=None))
        db.session.commit()
    assert browse(anonymous, q="no one").rows[0][1] == ["no one's", "1.5", "0", ""]


def test_prev_and_next_keep_every_other_parameter(anonymous, catalogue):
    first = browse(anonymous, q="pen", sort="-price", limit="2")
    assert "prev" not in first.links
    assert parse_qs(urlsplit(first.links["next"]).query) == {
        "q": ["pen"],
        "sort": ["-price"],
        "limit": ["2"],
        "offset": ["2"],
    }
    middle = browse(anonymous, **{k: v[0] for k, v in parse_qs(urlsplit(first.links["next"]).query).items()})
    assert parse_qs(urlsplit(middle.links["prev"]).query)["offset"] == ["0"]
    assert "next" not in middle.links  # 4 pens: offset 2 + limit 2 reaches the total
    assert parse_qs(urlsplit(browse(anonymous, offset="1", limit="3").links["prev"]).query)["offset"] == ["0"]


def test_the_search_form_shows_q_and_keeps_the_other_parameters_but_the_offset(anonymous, catalogue):
    page = browse(anonymous, q="pen", sort="title", limit="5", offset="1", owner="owner", ignored="x")
    assert page.inputs == {
        "q": ("search", "pen"),
        "sort": ("hidden", "title"),
        "limit": ("hidden", "5"),
        "owner": ("hidden", "owner"),
    }
    assert browse(anonymous).inputs == {"q": ("search", "")}


@pytest.mark.parametrize(
    "params", [{"limit": "0"}, {"sort": "nope"}, {"min_price": "abc"}, {"limit": "101", "offset": "-1", "q": "x"}]
)
def test_bad_parameters_are_a_422_page_with_the_apis_own_messages(anonymous, params):
    response = anonymous.get("/", query_string=params)
    assert (response.status_code, response.content_type) == (422, "text/html; charset=utf-8")
    page = Page(response.get_data(as_text=True))
    problem = assert_problem(anonymous.get("/items", query_string=params), 422)
    assert page.errors == [f"{error['field']}: {error['message']}" for error in problem["errors"]]
    assert page.tables == 0 and not page.rows and page.total is None
    assert page.title and page.h1 and 'class="errors" role="alert"' in response.get_data(as_text=True)


def test_every_value_is_escaped(anonymous, create):
    create(title="<script>alert(1)</script>", price=1)
    markup = anonymous.get("/").get_data(as_text=True)
    assert "<script>" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    page = browse(anonymous, q='"><b>')
    assert page.inputs["q"] == ("search", '"><b>')


def test_the_page_uses_no_external_asset_and_sends_a_content_security_policy(anonymous):
    response = anonymous.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'nonce-")
    nonce = policy.split("'nonce-")[1].split("'")[0]
    markup = response.get_data(as_text=True)
    assert f'<style nonce="{nonce}">' in markup
    assert "http://" not in markup and "https://" not in markup and "<script" not in markup and "<link" not in markup


def test_the_page_reads_no_credentials_and_is_not_in_the_openapi_document(anonymous):
    assert anonymous.get("/", headers={"Authorization": "Bearer not-a-token"}).status_code == 200
    assert anonymous.head("/").status_code == 200
    paths = anonymous.get("/openapi.json").get_json()["paths"]
    assert sorted(paths) == ["/items", "/items/{item_id}", "/token", "/users", "/users/me", "/users/{user_id}"]


# endregion
