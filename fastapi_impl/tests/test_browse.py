"""The browse page at /: GET /items' rows as HTML, the same parameters, prev/next, the total, 422, escaping."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from items_fastapi.models import Item
from tests.databases import on_database
from tests.support import error_pairs, sign_up

ROWS = [("b", 10.0), ("B", 2.5), ("a", 10.0), ("\u00e9", 999_999.0), ("Z", 1.0), ("b", 0.00001)]


class Page(HTMLParser):
    """What the browser test reads of the page: rows, total, links, the search form's inputs, the errors."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[tuple[int, list[str]]] = []
        self.headings: list[str] = []
        self.total: int | None = None
        self.links: dict[str, str] = {}
        self.inputs: dict[str, tuple[str, str]] = {}  # name: (type, value)
        self.errors: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] | None = None  # the text of the element being read
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.add(tag)
        if tag == "tr" and "data-id" in attributes:
            self.rows.append((int(attributes["data-id"]), []))
        elif tag in {"td", "th", "li", "span", "title", "h1"}:
            self.text = []
        elif tag == "a" and attributes.get("rel"):
            self.links[attributes["rel"]] = attributes["href"]
        elif tag == "input":
            self.inputs[attributes["name"]] = (attributes["type"], attributes.get("value") or "")

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.text is None:
            return
        text, self.text = "".join(self.text), None
        if tag == "td":
            self.rows[-1][1].append(text)
        elif tag == "th":
            self.headings.append(text)
        elif tag == "li":
            self.errors.append(text)
        elif tag == "span":
            self.total = int(text)


def browse(client, status: int = 200, **params) -> Page:
    response = client.get("/", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no script at all
    return Page(response.text)


@pytest.fixture
def catalogue(client, create):
    created = [create(title=title, price=price) for title, price in ROWS]
    alice = sign_up(client, "alice")
    created.append(client.post("/items", json={"title": "alice's", "price": 3}, headers=alice).json())
    return created


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "title"},
        {"sort": "-price", "limit": "3"},
        {"q": "B", "sort": "-id"},
        {"min_price": "2.5", "max_price": "1e1"},
        {"owner": "alice"},
        {"limit": "2", "offset": "2", "sort": "price"},
    ],
)
def test_rows_and_order_are_those_of_get_items(anonymous, catalogue, params):
    response = anonymous.get("/items", params=params)
    api = response.json()
    prices = re.findall(r'"price":([^,}]+)', response.text)  # each number as the API writes it
    page = browse(anonymous, **params)
    assert page.headings == ["Title", "Price", "Quantity", "Owner"]
    assert page.total == api["total"]
    assert [row_id for row_id, _ in page.rows] == [item["id"] for item in api["items"]]
    expected = [
        [item["title"], price, str(item["quantity"]), item["owner"]]
        for item, price in zip(api["items"], prices, strict=True)
    ]
    assert [cells for _, cells in page.rows] == expected


def test_a_price_as_the_api_writes_it_and_no_owner_as_an_empty_cell(anonymous, create, database_env):
    create(title="tiny", price=0.00001)
    create(title="ten", price=10)

    async def item_from_before_accounts(connection: AsyncConnection) -> None:
        now = datetime.now(UTC)
        row = {"title": "old", "price": 1, "quantity": 2, "created_at": now, "updated_at": now}
        await connection.execute(insert(Item), [row])

    on_database(database_env, item_from_before_accounts)
    raw = anonymous.get("/items").text
    assert '"price":0.00001' in raw and '"price":10.0' in raw  # Pydantic's JSON, where Python writes 1e-05
    assert [cells for _, cells in browse(anonymous).rows] == [
        ["tiny", "0.00001", "0", "owner"],
        ["ten", "10.0", "0", "owner"],
        ["old", "1.0", "2", ""],
    ]


def test_previous_and_next_keep_every_other_parameter(anonymous, catalogue):
    first = browse(anonymous, limit="3", sort="title", q="")
    assert page_ids(first) == [2, 5, 3] and first.total == 7
    assert "prev" not in first.links
    assert parse_qs(first.links["next"].removeprefix("?"), keep_blank_values=True) == {
        "limit": ["3"],
        "sort": ["title"],
        "q": [""],
        "offset": ["3"],
    }
    middle = follow(anonymous, first.links["next"])
    assert page_ids(middle) == [7, 1, 6]
    assert parse_qs(middle.links["prev"].removeprefix("?"))["offset"] == ["0"]
    last = follow(anonymous, middle.links["next"])
    assert page_ids(last) == [4] and "next" not in last.links
    assert parse_qs(browse(anonymous, limit="3", offset="1").links["prev"].removeprefix("?"))["offset"] == ["0"]


def test_the_search_form_keeps_the_other_parameters_but_the_offset(anonymous, catalogue):
    page = browse(anonymous, q="b", sort="-price", limit="2", offset="2", owner="owner", colour="red")
    assert page.inputs == {
        "q": ("search", "b"),
        "sort": ("hidden", "-price"),
        "limit": ("hidden", "2"),
        "owner": ("hidden", "owner"),
    }
    assert {"title", "h1", "form"} <= page.tags


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"sort": "nope"}, {"min_price": "abc"}, {"q": "x" * 201}, {"limit": "abc", "offset": "-1"}],
)
def test_bad_parameters_are_422_with_the_apis_messages_and_no_table(anonymous, catalogue, params):
    page = browse(anonymous, 422, **params)
    assert "table" not in page.tags and page.rows == [] and page.total is None
    fields = {field for field, _ in error_pairs(anonymous.get("/items", params=params))}
    assert {error.split(":", 1)[0] for error in page.errors} == fields
    problem = anonymous.get("/items", params=params).json()
    assert sorted(page.errors) == sorted(f"{error['field']}: {error['message']}" for error in problem["errors"])
    assert page.inputs == {"q": ("search", "")}  # the parameters in error are not kept, nor is the offset


def test_every_value_is_escaped(anonymous, client, create):
    title = "<script>alert(1)</script> & \"quotes\" 'too'"
    create(title=title, price=1)
    response = anonymous.get("/", params={"q": "<script>", "sort": '"><b>'})
    assert response.status_code == 422 and '"><b>' not in response.text
    response = anonymous.get("/", params={"q": "<script>"})
    assert "<script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    page = Page(response.text)
    assert page.rows[0][1][0] == title
    assert page.inputs["q"] == ("search", "<script>")


def test_the_page_is_public_outside_the_document_and_answers_head(anonymous, catalogue):
    assert "/" not in anonymous.get("/openapi.json").json()["paths"]
    head = anonymous.head("/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "text/html; charset=utf-8"
    assert anonymous.post("/").status_code == 405


def page_ids(page: Page) -> list[int]:
    return [row_id for row_id, _ in page.rows]


def follow(client, href: str) -> Page:
    response = client.get("/" + href)
    assert response.status_code == 200, response.text
    return Page(response.text)
