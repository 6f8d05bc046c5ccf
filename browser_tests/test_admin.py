"""Each implementation's admin at /admin/, driven in headless Chromium as an administrator would (issue 16).

An administrator is made the way impl.toml's ``[admin] create`` says (the framework's own command, run in
the implementation's folder and virtualenv with the server's own environment), an ordinary account through
the API's ``POST /users``. Then, in the browser: the admin refuses a bad price, quantity or title (the error
shown next to the field, nothing stored), stores a good item that the API reads back unchanged, edits it,
deletes it; nobody and an ordinary account get the login page and never the data; a form posted without
its CSRF token is refused (and the same post with it is stored); the session cookie is HttpOnly and
SameSite, and no API credential. Every request stays on 127.0.0.1. ``admins.py`` holds each admin
product's URLs and selectors.
"""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass

import pytest

from browser_tests import admins, browser
from browser_tests.api import Account, Api, unique

# What the API refuses (shared_spec/openapi.yaml: Price exclusiveMinimum 0, maximum 1000000; Quantity 0 to
# 1000000; Title 1 to 200 characters). For the title the value is the length of a title to type.
BAD_VALUES = [
    ("price", "0"),
    ("price", "-1"),
    ("price", "1000000.01"),
    ("quantity", "-1"),
    ("quantity", "1000001"),
    ("title", "201"),
]
ITEM_FORM = "form:has([name='title'])"
COMMAND_TIMEOUT = 120


@dataclass(frozen=True)
class AdminSite:
    pages: admins.AdminPages
    api: Api
    username: str  # an administrator, made by [admin] create
    password: str
    ordinary: Account  # signed up through the API: never an administrator
    listed: dict  # an item the ordinary account created through the API: shown to the administrator only


def make_site(started, target: str) -> AdminSite:
    """Make an administrator with ``[admin] create``, an ordinary account and an item through the API."""
    impl = started.impl
    if impl.admin is None:
        raise AssertionError(f"{target}: impl.toml has no [admin] table (kind, create, env; issue 16)")
    pages = admins.pages_for(impl.admin.kind, started.url)
    username, password = unique("admin"), f"pw-{secrets.token_hex(8)}"
    command = impl.admin.create_command(username)
    try:
        done = subprocess.run(
            command,
            cwd=impl.folder,
            env=started.environment(impl.admin.create_env(password)),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise AssertionError(f"{target}: [admin] create {command} failed to run: {error}") from error
    if done.returncode != 0:
        raise AssertionError(
            f"{target}: [admin] create {command} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    api = Api(started.url)
    ordinary = api.sign_up(unique("ordinary"))
    listed = api.create_item(ordinary.token, title=unique("listed"), price=3.5, quantity=2)
    return AdminSite(pages, api, username, password, ordinary, listed)


def admin_site(started, target: str) -> AdminSite:
    """The admin of ``target``, set up once per run; a failure to set it up fails every test that needs it."""
    if started.impl is None:
        pytest.skip("--base-url: this run cannot make an administrator on a server it did not start")
    if "admin" not in started.cache:
        try:
            started.cache["admin"] = make_site(started, target)
        except AssertionError as error:
            started.cache["admin"] = error
    if isinstance(started.cache["admin"], AssertionError):
        pytest.fail(str(started.cache["admin"]), pytrace=False)
    return started.cache["admin"]


def visible_text(page) -> str:
    return page.locator("body").inner_text()


def log_in_as_administrator(page, site: AdminSite) -> None:
    """Log in, then check that the items list shows the data (an item created through the API)."""
    site.pages.log_in(page, site.username, site.password)
    page.goto(site.pages.list_url(search=site.listed["title"]))
    assert not site.pages.is_login_page(page), f"the administrator was sent back to the login page: {page.url}"
    assert site.listed["title"] in visible_text(page), f"{page.url} does not list the item created through the API"


def assert_stayed_local(traffic: browser.Traffic) -> None:
    assert not traffic.outside, f"requests left {browser.LOCAL_HOST} (aborted): {sorted(set(traffic.outside))}"


def test_bad_values_are_refused_with_the_error_shown_and_nothing_stored(chromium, started, target):
    site = admin_site(started, target)
    with browser.local_context(chromium) as (context, traffic):
        page = context.new_page()
        log_in_as_administrator(page, site)
        for field, value in BAD_VALUES:
            marker = unique("refused")
            fields = {"title": marker, "price": "5", "quantity": "1", field: value}
            if field == "title":
                fields["title"] = marker + "x" * (int(value) - len(marker))
            site.pages.submit_item_form(page, site.pages.add_url(), fields)
            shown = f"{target}: {field} {value!r}"
            error = page.locator(site.pages.field_error(field))
            assert error.count() >= 1, f"{shown}: no error next to the field ({page.url}):\n{visible_text(page)[:600]}"
            assert error.first.is_visible() and error.first.inner_text().strip(), f"{shown}: the error is not shown"
            assert site.api.items({"q": marker})["total"] == 0, f"{shown}: the admin stored the item"
        assert_stayed_local(traffic)


def test_an_item_made_in_the_admin_reads_back_through_the_api_then_is_edited_and_deleted(
    chromium, started, target, screenshots
):
    site = admin_site(started, target)
    pages, api = site.pages, site.api
    title = unique("made-in-the-admin")
    with browser.local_context(chromium) as (context, traffic):
        page = context.new_page()
        log_in_as_administrator(page, site)

        pages.submit_item_form(page, pages.add_url(), {"title": title, "price": "12.5", "quantity": "3"})
        found = api.titled(title)
        assert len(found) == 1, f"{target}: the admin did not store the item ({page.url}):\n{visible_text(page)[:800]}"
        item = found[0]
        assert (item["title"], item["price"], item["quantity"], item["owner"]) == (title, 12.5, 3, None), item
        assert item["created_at"] and item["updated_at"], item

        page.goto(pages.list_url())
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / f"{target}-admin.png"), full_page=True)

        edited = f"{title} (edited)"
        pages.submit_item_form(page, pages.change_url(item["id"]), {"title": edited, "price": "13.75", "quantity": "4"})
        answer = api.item(item["id"])
        assert answer.status == 200, answer.text
        changed = answer.body
        assert (changed["title"], changed["price"], changed["quantity"]) == (edited, 13.75, 4), changed

        pages.delete(page, item["id"])
        assert api.item(item["id"]).status == 404, f"{target}: item {item['id']} still there after the admin deleted it"
        assert_stayed_local(traffic)


def test_nobody_and_an_ordinary_account_get_the_login_page_never_the_data(chromium, started, target):
    site = admin_site(started, target)
    pages, listed = site.pages, site.listed
    with browser.local_context(chromium) as (context, traffic):
        page = context.new_page()
        for url in (pages.list_url(search=listed["title"]), pages.add_url(), pages.change_url(listed["id"])):
            page.goto(url)
            assert pages.is_login_page(page), f"{target}: {url} showed a visitor not logged in {page.url}, no login"
            assert listed["title"] not in visible_text(page), f"{target}: {url} showed the data to nobody"

        for username, password, who in (
            (site.ordinary.username, site.ordinary.password, "an ordinary account"),
            (site.username, "not-the-password", "a wrong password"),
        ):
            pages.log_in(page, username, password)
            assert pages.is_login_page(page), f"{target}: {who} got past the login page to {page.url}"
            message = page.locator(pages.login_error)
            assert message.count() >= 1 and message.first.is_visible(), f"{target}: no error shown to {who}"
            page.goto(pages.list_url(search=listed["title"]))
            assert pages.is_login_page(page), f"{target}: after logging in, {who} reached {page.url}"
            assert listed["title"] not in visible_text(page), f"{target}: {who} saw the data"
        assert_stayed_local(traffic)


def test_a_form_posted_without_its_csrf_token_is_refused_and_stores_nothing(chromium, started, target):
    site = admin_site(started, target)
    pages, api = site.pages, site.api
    with browser.local_context(chromium) as (context, traffic):
        page = context.new_page()
        log_in_as_administrator(page, site)
        page.goto(pages.add_url())
        # The form as the browser would post it, with its Save button; then the same without the token.
        form = page.eval_on_selector(ITEM_FORM, "form => Object.fromEntries(new FormData(form))")
        button = page.locator(pages.save_button).first
        if button.get_attribute("name"):
            form[button.get_attribute("name")] = button.get_attribute("value") or ""
        tokens = [name for name in form if "csrf" in name.lower()]
        assert tokens, f"{target}: the item form at {page.url} has no CSRF token field: {sorted(form)}"

        refused = unique("no-csrf-token")
        bare = {name: value for name, value in form.items() if name not in tokens}
        response = page.request.post(
            pages.add_url(), form={**bare, "title": refused, "price": "5", "quantity": "1"}, max_redirects=0
        )
        assert response.status < 300 or response.status >= 400, f"{target}: accepted without a token"
        assert response.status < 500, f"{target}: a post without its CSRF token answered {response.status}"
        assert api.titled(refused) == [], f"{target}: a post without its CSRF token stored an item"

        # The control: the same post with the token is stored, so the refusal above was the token's doing.
        accepted = unique("with-csrf-token")
        response = page.request.post(
            pages.add_url(), form={**form, "title": accepted, "price": "5", "quantity": "1"}, max_redirects=0
        )
        assert len(api.titled(accepted)) == 1, f"{target}: the same post with its token was not stored either"
        assert_stayed_local(traffic)


def set_cookies(responses) -> list[str]:
    return [h["value"] for r in responses for h in r.headers_array() if h["name"].lower() == "set-cookie"]


def cookie_attributes(header: str) -> tuple[str, str, dict[str, str]]:
    """``name``, ``value`` and the lower-cased attributes of one ``Set-Cookie`` header (RFC 6265 §4.1)."""
    pair, *attributes = header.split(";")
    name, _, value = pair.strip().partition("=")
    found = {}
    for attribute in attributes:
        key, _, val = attribute.strip().partition("=")
        found[key.lower()] = val.strip().lower()
    return name, value.strip().strip('"'), found


def test_the_session_cookie_is_httponly_and_samesite_and_no_api_credential(chromium, started, target):
    site = admin_site(started, target)
    with browser.local_context(chromium) as (context, traffic):
        page = context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        log_in_as_administrator(page, site)
        session = []
        for header in set_cookies(responses):
            name, value, attributes = cookie_attributes(header)
            if "csrf" in name.lower() or not value or attributes.get("max-age") == "0":
                continue  # a CSRF cookie is meant to be read by the page; a deletion sets nothing
            session.append((name, attributes))
        assert session, f"{target}: logging in set no session cookie: {set_cookies(responses)}"
        for name, attributes in session:
            assert "httponly" in attributes, f"{target}: cookie {name} is not HttpOnly: {attributes}"
            assert attributes.get("samesite") in ("lax", "strict"), f"{target}: cookie {name}: {attributes}"

        # The admin's session is not an API credential: writes still need a bearer token.
        response = page.request.post(
            site.api.base_url + "/items", data={"title": unique("cookie-only"), "price": 1}, max_redirects=0
        )
        assert response.status == 401, f"{target}: POST /items with the admin's session cookie: {response.status}"
        assert_stayed_local(traffic)
