"""The browse page at /, as the browser test reads it: the markup of issue 16's shared brief.

``table#items`` with ``thead`` Title, Price, Quantity, Owner and one ``tr[data-id]`` of four cells per item;
``#total``; ``a[rel=prev]`` / ``a[rel=next]``; ``form[role=search][method=get]`` with ``input[type=search][name=q]``;
on bad parameters ``ul.errors[role=alert]``. ``check_view`` compares what a page showed with the API's
``GET /items`` page for the same parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from browser_tests import browser

READ_PAGE = """() => {
  const text = e => e ? e.textContent : null;
  const table = document.querySelector('table#items');
  return {
    rows: table ? [...table.querySelectorAll('tbody tr')].map(tr => ({
      id: tr.dataset.id ?? null,
      cells: [...tr.querySelectorAll('td')].map(td => td.textContent),
      markup: tr.querySelectorAll('td script, td img').length,
    })) : null,
    headers: table ? [...table.querySelectorAll('thead th')].map(th => th.textContent.trim()) : [],
    total: text(document.querySelector('#total')),
    prev: document.querySelector('a[rel~="prev"]')?.getAttribute('href') ?? null,
    next: document.querySelector('a[rel~="next"]')?.getAttribute('href') ?? null,
    errors: [...document.querySelectorAll('ul.errors li')].map(li => li.textContent.trim()),
    errorsRole: document.querySelector('ul.errors')?.getAttribute('role') ?? null,
    title: document.title,
    h1: text(document.querySelector('h1')),
    search: document.querySelector('form[role="search"][method="get" i] input[type="search"][name="q"]')?.value ?? null,
    pwned: window.pwned ?? null,
  };
}"""


@dataclass
class View:
    """What the browse page showed for one URL."""

    url: str
    status: int
    content_type: str
    page: dict
    dialogs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, float, int, str | None]]:
        """(title, price, quantity, owner) of each row, owner None for an empty cell."""
        found = []
        for row in self.page["rows"] or []:
            assert len(row["cells"]) == 4, f"{self.url}: a row without four cells: {row['cells']}"
            title, price, quantity, owner = (cell.strip() for cell in row["cells"])
            found.append((title, float(price), int(quantity), owner or None))
        return found

    @property
    def ids(self) -> list[int]:
        return [int(row["id"]) for row in self.page["rows"] or []]


def page_url(base_url: str, params: dict[str, str]) -> str:
    return f"{base_url}/" + (f"?{urlencode(params)}" if params else "")


def open_page(chromium, url: str, screenshot=None) -> View:
    """Load ``url`` in a fresh context (every request kept on 127.0.0.1), answer any dialog, read the page."""
    with browser.local_context(chromium) as (context, traffic):
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        response = page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        view = View(url, response.status, response.headers.get("content-type", ""), page.evaluate(READ_PAGE), dialogs)
        view.outside = traffic.outside
    return view


def link_params(href: str) -> dict[str, str]:
    parts = urlsplit(href)
    assert parts.path in ("", "/"), f"link {href} does not lead to the browse page"
    return {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}


def check_link(view: View, rel: str, params: dict[str, str], offset: int | None) -> None:
    """``a[rel=REL]`` is there exactly when ``offset`` is not None, with that offset and the other parameters."""
    href = view.page[rel]
    if offset is None:
        assert href is None, f"{view.url}: a {rel} link ({href}) where there is no page"
        return
    assert href is not None, f"{view.url}: no {rel} link, yet offset {offset} has rows"
    found = link_params(href)
    assert int(found.get("offset", "0")) == offset, f"{view.url}: the {rel} link {href} is not at offset {offset}"
    kept = {key: value for key, value in params.items() if key != "offset"}
    lost = {key: value for key, value in kept.items() if found.get(key) != value}
    assert not lost, f"{view.url}: the {rel} link {href} loses {lost}"


def check_view(view: View, expected: dict, params: dict[str, str]) -> None:
    """The page shows exactly ``expected`` (``GET /items`` with ``params``), its total, and the right links."""
    assert view.status == 200, f"{view.url} answered {view.status}: {view.page['errors']}"
    assert view.content_type.replace(" ", "").lower() == "text/html;charset=utf-8", view.content_type
    assert view.page["title"] and view.page["h1"], f"{view.url}: no <title> or <h1>"
    assert view.page["rows"] is not None, f"{view.url}: no table#items"
    assert view.page["headers"] == ["Title", "Price", "Quantity", "Owner"], view.page["headers"]
    api_rows = [(i["title"], i["price"], i["quantity"], i["owner"]) for i in expected["items"]]
    assert view.ids == [item["id"] for item in expected["items"]], f"{view.url}: rows (data-id) differ from the API"
    assert view.rows == api_rows, f"{view.url}: rows differ from GET /items"
    assert view.page["total"] is not None and int(view.page["total"]) == expected["total"], view.page["total"]
    offset, limit, total = expected["offset"], expected["limit"], expected["total"]
    check_link(view, "prev", params, max(0, offset - limit) if offset > 0 else None)
    check_link(view, "next", params, offset + limit if offset + limit < total else None)
    assert view.page["search"] == params.get("q", ""), f"{view.url}: the search box holds {view.page['search']!r}"
    assert not view.dialogs and view.page["pwned"] is None, f"{view.url}: a title ran as script: {view.dialogs}"
    assert not view.outside, f"{view.url}: requests left {browser.LOCAL_HOST}: {sorted(set(view.outside))}"
