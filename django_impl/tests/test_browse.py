"""The browse page at ``/``: the rows of ``GET /items`` with the same query, in HTML, every value escaped."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

from items.models import Item

HTML = "text/html; charset=utf-8"


class Page(HTMLParser):
    """What the browser test reads from the page: rows, total, links, the search form, the errors."""

    def __init__(self, html: str) -> None:
        super().__init__()  # character references converted: the text as a browser shows it
        self.rows: list[list[str]] = []  # [data-id, title, price, quantity, owner]
        self.links: dict[str, dict[str, str]] = {}  # rel: the query of its href
        self.inputs: dict[str, dict[str, str]] = {}  # name: attributes
        self.errors: list[str] = []  # the text of each <li> of <ul class="errors" role="alert">
        self.text: dict[str, str] = {}  # of <title>, <h1>, <span id="total">
        self.tables: list[str] = []  # their ids
        self._in = ""  # what the text being read belongs to
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        if tag == "tr" and "data-id" in named:
            self.rows.append([named["data-id"]])
        elif tag == "td":
            self.rows[-1].append("")
            self._in = "td"
        elif tag == "a" and "rel" in named:
            self.links[named["rel"]] = dict(parse_qsl(urlsplit(named["href"]).query))
        elif tag == "input":
            self.inputs[named["name"]] = named
        elif tag == "ul":
            assert (named["class"], named["role"]) == ("errors", "alert")
        elif tag == "li":
            self.errors.append("")
            self._in = "li"
        elif tag == "table":
            self.tables.append(named["id"])
        elif tag in {"title", "h1"} or named.get("id") == "total":
            self._in = named.get("id") or tag
            self.text[self._in] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "li", "title", "h1", "span"}:
            self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "td":
            self.rows[-1][-1] += data
        elif self._in == "li":
            self.errors[-1] += data
        elif self._in:
            self.text[self._in] += data


def browse(client, params: dict | None = None, status: int = 200) -> Page:
    response = client.get("/", params or {})
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == HTML
    assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none': no script at all
    page = Page(response.content.decode())
    assert page.text["title"] and page.text["h1"]
    return page


def api_rows(client, params: dict) -> tuple[list[list[str]], int]:
    """``GET /items``' rows as the page writes them (the price as the API's JSON writes it), and its total."""
    page = client.get("/items", params).json()
    rows = [
        [str(i["id"]), i["title"], json.dumps(i["price"]), str(i["quantity"]), i["owner"] or ""] for i in page["items"]
    ]
    return rows, page["total"]


@pytest.fixture
def catalogue(create):
    for title, price in [("cat-b", 10.0), ("cat-B", 2.5), ("cat-a", 10), ("cat-\u00e9", 999999.5), ("dog", 1e-05)]:
        create(title=title, price=price, quantity=3)
    Item.objects.create(title="no owner", price=7)  # as the admin makes one: owner null


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "-price"},
        {"q": "CAT-B", "sort": "title"},
        {"limit": "2", "offset": "1", "sort": "-created_at"},
        {"owner": "owner", "sort": "-id"},
        {"min_price": "2.5", "max_price": "1E1", "sort": "price"},
        {"owner": "nobody"},
    ],
)
def test_rows_and_order_are_get_items_with_the_same_query(anonymous, catalogue, params):
    page = browse(anonymous, params)
    rows, total = api_rows(anonymous, params)
    assert rows or params == {"owner": "nobody"}
    assert page.rows == rows and page.tables == ["items"]
    assert page.text["total"] == str(total)


def test_search_form_keeps_the_other_parameters_and_resets_the_offset(anonymous, catalogue):
    page = browse(anonymous, {"q": "cat", "sort": "-price", "limit": "2", "offset": "2", "owner": "owner"})
    assert page.inputs["q"]["type"] == "search" and page.inputs["q"]["value"] == "cat"
    hidden = {name: attrs["value"] for name, attrs in page.inputs.items() if attrs["type"] == "hidden"}
    assert hidden == {"sort": "-price", "limit": "2", "owner": "owner"}


def test_previous_and_next_keep_every_other_parameter(anonymous, catalogue):
    first = browse(anonymous, {"limit": "2", "sort": "-id"})
    assert "prev" not in first.links and first.links["next"] == {"limit": "2", "sort": "-id", "offset": "2"}
    middle = browse(anonymous, first.links["next"])
    assert middle.links["prev"] == {"limit": "2", "sort": "-id", "offset": "0"}
    assert middle.links["next"]["offset"] == "4"
    last = browse(anonymous, {**first.links["next"], "offset": "5"})
    assert last.links["prev"]["offset"] == "3" and "next" not in last.links
    assert browse(anonymous, {"offset": "1"}).links["prev"]["offset"] == "0"  # max(0, offset - limit)
    assert browse(anonymous).links == {}  # 6 items, limit 20


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"sort": "nope"},
        {"min_price": "abc"},
        {"limit": "101", "offset": "-1", "max_price": "1e400"},
        {"q": "x" * 201},
        {"q": "a\x00b"},
    ],
)
def test_bad_parameters_are_a_422_page_with_the_apis_own_messages(anonymous, params):
    page = browse(anonymous, params, status=422)
    problem = anonymous.get("/items", params).json()
    expected = [f"{error['field']}: {error['message']}" for error in problem["errors"]]
    assert page.errors == expected and page.tables == [] and "total" not in page.text


def test_every_value_is_escaped(anonymous, create):
    create(title='<script>alert(1)</script> & "quotes"', price=1)
    response = anonymous.get("/", {"q": '"><script>alert(2)</script>'})
    body = response.content.decode()
    assert "<script>" not in body and "&lt;script&gt;alert(2)" in body
    page = browse(anonymous)
    assert page.rows[0][1] == '<script>alert(1)</script> & "quotes"'  # shown as text


def test_head_and_other_methods(anonymous):
    head = anonymous.head("/")
    assert head.status_code == 200 and head["Content-Type"] == HTML and head.content == b""
    assert anonymous.post("/").status_code == 405


def test_the_page_is_not_part_of_the_api_document(anonymous):
    paths = anonymous.get("/openapi.json").json()["paths"]
    assert "/" not in paths and not any(path.startswith("/admin") for path in paths)


def test_the_style_sheet_is_served_by_the_app(anonymous):
    body = anonymous.get("/").content.decode()
    assert "//" not in body  # nothing from another host
    stylesheet = body.split('rel="stylesheet" href="')[1].split('"')[0]
    assert stylesheet.startswith("/static/") and anonymous.get(stylesheet).status_code == 200
