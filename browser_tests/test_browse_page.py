"""The browse page at / of each implementation, in headless Chromium, against the API and each other (issue 16).

Every implementation gets a server of its own on a fresh database, seeded through the API with the same items
in the same order by two users: titles that sort interestingly by code point (upper case before lower case,
``<`` before letters, non-ASCII last), a ``<script>`` title and an ``<img onerror>`` one, prices with a tie.
For a few parameter sets the page must list exactly the rows ``GET /items`` lists with the same parameters
(``data-id`` order, title, price as a number, quantity, owner), show its ``total``, and offer prev/next links
exactly when there is a page before or after, keeping the other parameters. The three implementations must
show the same rows in the same order. Bad parameters get 422 with the error named in ``ul.errors``. A title
that is markup shows as text and runs nothing. No request leaves 127.0.0.1. ``browse.py`` reads the markup.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urljoin

import pytest

from browser_tests import browser
from browser_tests.api import Account, Api
from browser_tests.browse import READ_PAGE, check_view, link_params, open_page, page_url
from contract_tests import implementations, server

RUN = secrets.token_hex(3)  # one suffix for the run: the same usernames in every implementation
OWNERS = {"alice": f"alice-{RUN}", "bob": f"bob-{RUN}"}
SCRIPT_TITLE = "<script>alert(1)</script>"
IMG_TITLE = '<img src="x" onerror="window.pwned = 1">'
SEED = [  # (title, price, quantity, owner): created in this order in every implementation
    ("apple", 2.5, 10, "alice"),
    ("Banana", 12, 0, "bob"),
    (SCRIPT_TITLE, 7.25, 3, "alice"),
    ("Éclair au café", 4.5, 1, "bob"),
    ("cherry", 12, 25, "alice"),
    ("banana split", 0.99, 2, "bob"),
    ("Ωμέγα λάδι", 1000000, 1000000, "alice"),
    (IMG_TITLE, 3, 5, "bob"),
    ("zucchini", 0.01, 7, "alice"),
    ('Mango & "lime"', 9.99, 4, "bob"),
]
PARAMETER_SETS = {  # name: query parameters ("{bob}" is bob's username)
    "default": {},
    "q": {"q": "an"},
    "q-non-ascii": {"q": "café"},
    "sort-price-desc-limit-2": {"sort": "-price", "limit": "2"},
    "offset-2-limit-2": {"offset": "2", "limit": "2"},
    "owner": {"owner": "{bob}"},
    "sort-title": {"sort": "title"},
    "price-range-sort-title-desc": {"min_price": "1", "max_price": "12", "sort": "-title", "limit": "3"},
}
BAD_PARAMETERS = {"limit": "0", "sort": "nope", "min_price": "abc"}


@dataclass
class Seeded:
    api: Api
    users: dict[str, Account]

    def params(self, name: str) -> dict[str, str]:
        return {key: value.replace("{bob}", OWNERS["bob"]) for key, value in PARAMETER_SETS[name].items()}


def seeded(servers, target: str) -> Seeded:
    """``target``'s browse server (a database of its own), seeded once per run with ``SEED``."""
    try:
        started = servers.get(target, "browse")
    except (server.ServerError, implementations.DescriptorError) as error:
        pytest.fail(f"{target}: {error}", pytrace=False)
    if "browse" not in started.cache:
        api = Api(started.url)
        users = {name: api.sign_up(username) for name, username in OWNERS.items()}
        for title, price, quantity, owner in SEED:
            api.create_item(users[owner].token, title=title, price=price, quantity=quantity)
        started.cache["browse"] = Seeded(api, users)
    return started.cache["browse"]


@pytest.mark.parametrize("name", PARAMETER_SETS)
def test_the_page_lists_the_rows_of_get_items(chromium, servers, target, name, screenshots):
    site = seeded(servers, target)
    params = site.params(name)
    shot = screenshots / f"{target}-browse.png" if name == "default" else None
    view = open_page(chromium, page_url(site.api.base_url, params), shot)
    check_view(view, site.api.items(params), params)


def test_the_pages_of_every_implementation_list_the_same_rows_in_the_same_order(chromium, servers, targets):
    if len(targets) < 2:
        pytest.skip(f"one target ({targets[0]}): nothing to compare it with")
    differences = []
    for name in PARAMETER_SETS:
        shown = {}
        for target in targets:
            site = seeded(servers, target)
            shown[target] = open_page(chromium, page_url(site.api.base_url, site.params(name))).rows
        assert shown[targets[0]], f"{name}: {targets[0]} shows no rows at all"
        if any(shown[target] != shown[targets[0]] for target in targets[1:]):
            differences.append(f"{name}:\n" + "\n".join(f"  {target}: {shown[target]}" for target in targets))
    assert not differences, "the pages differ:\n" + "\n".join(differences)


def test_next_and_prev_links_walk_the_whole_list(chromium, servers, target):
    site = seeded(servers, target)
    params = {"sort": "-price", "limit": "3"}
    walked, url, offsets = [], page_url(site.api.base_url, params), []
    while url is not None and len(offsets) <= len(SEED):
        view = open_page(chromium, url)
        current = {**params, "offset": str(len(walked))}
        check_view(view, site.api.items(current), current)
        offsets.append(len(walked))
        walked += view.rows
        url = view.page["next"] and urljoin(view.url, view.page["next"])
    everything = site.api.items({"sort": "-price", "limit": "100"})
    assert walked == [(i["title"], i["price"], i["quantity"], i["owner"]) for i in everything["items"]]
    assert offsets == list(range(0, everything["total"], 3)), offsets

    back = open_page(chromium, page_url(site.api.base_url, {**params, "offset": "1"}))
    assert int(link_params(back.page["prev"]).get("offset", "0")) == 0, back.page["prev"]  # max(0, 1 - 3)


def test_the_search_form_keeps_the_other_parameters_and_resets_the_offset(chromium, servers, target):
    site = seeded(servers, target)
    url = page_url(site.api.base_url, {"sort": "-price", "limit": "2", "offset": "2"})
    with browser.local_context(chromium) as (context, traffic):
        page = context.new_page()
        page.goto(url)
        search = page.locator('form[role="search"] input[type="search"][name="q"]')
        search.fill("an")
        with page.expect_navigation():
            search.press("Enter")
        found = link_params(page.url)
        rows = page.evaluate(READ_PAGE)
        assert not traffic.outside, sorted(set(traffic.outside))
    assert found.get("q") == "an" and found.get("sort") == "-price" and found.get("limit") == "2", page.url
    assert int(found.get("offset", "0")) == 0, f"the search kept offset: {page.url}"
    expected = site.api.items({"q": "an", "sort": "-price", "limit": "2"})
    assert [int(row["id"]) for row in rows["rows"] or []] == [item["id"] for item in expected["items"]]


@pytest.mark.parametrize(("parameter", "value"), BAD_PARAMETERS.items(), ids=BAD_PARAMETERS)
def test_a_bad_parameter_gets_422_and_names_it(chromium, servers, target, parameter, value):
    site = seeded(servers, target)
    view = open_page(chromium, page_url(site.api.base_url, {parameter: value}))
    assert view.status == 422, f"{view.url} answered {view.status}"
    assert view.content_type.startswith("text/html"), view.content_type
    assert view.page["h1"], f"{view.url}: not the page's layout (no <h1>)"
    assert view.page["rows"] is None, f"{view.url}: a table of items beside the error"
    assert view.page["errorsRole"] == "alert", f"{view.url}: no ul.errors[role=alert]"
    assert any(parameter in error for error in view.page["errors"]), f"{view.url}: {view.page['errors']}"
    assert not view.outside, sorted(set(view.outside))


def test_a_script_title_is_shown_as_text_and_runs_nothing(chromium, servers, target):
    site = seeded(servers, target)
    view = open_page(chromium, page_url(site.api.base_url, {"q": "<", "sort": "title"}))
    assert view.status == 200, view.status
    titles = [cell["cells"][0].strip() for cell in view.page["rows"] or []]
    assert titles == [IMG_TITLE, SCRIPT_TITLE], f"the titles' cells read {titles}, not the literal titles"
    assert all(row["markup"] == 0 for row in view.page["rows"]), "a title became an element"
    assert not view.dialogs, f"a title ran: dialogs {view.dialogs}"
    assert view.page["pwned"] is None, "an onerror handler from a title ran"
    assert not view.outside, sorted(set(view.outside))
