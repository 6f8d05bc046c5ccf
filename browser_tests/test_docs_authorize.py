"""/docs' Authorize button logs in through /token, and an authorised "Try it out" creates an item (issue 15).

The spec's ``bearerAuth`` is an OAuth 2.0 password flow with ``tokenUrl: /token``, so Swagger UI's Authorize
dialog asks for a username and a password and posts them to /token itself (with its default "client
credentials location", an ``Authorization: Basic`` header carrying an empty client id). The test signs a user
up through the API, authorises in the dialog as that user, then runs ``POST /items`` from the page: Swagger UI
shows 201 and the API lists the item, owned by that user. Selectors are Swagger UI 5's own.
"""

from __future__ import annotations

import json

from browser_tests import browser
from browser_tests.api import Api, unique

EXPECTED = browser.spec_operations()
TIMEOUT_MS = 30_000
CREATE_ITEM = ".opblock.opblock-post:has(.opblock-summary-path[data-path='/items'])"


def test_authorize_then_try_it_out_creates_an_item(chromium, base_url, target, screenshots):
    api = Api(base_url)
    user = api.sign_up(unique("swagger"))
    title = unique("tried-in-swagger-ui")
    with browser.local_context(chromium) as (context, traffic):
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(base_url + "/docs")
        browser.wait_for_operations(page, "swagger", len(EXPECTED))

        page.click(".scheme-container .btn.authorize")
        dialog = page.locator(".auth-container").filter(has=page.locator("#oauth_username"))
        dialog.locator("#oauth_username").fill(user.username)
        dialog.locator("#oauth_password").fill(user.password)
        dialog.locator(".btn.modal-btn.auth.authorize").click()
        # Authorised: the dialog now offers Logout, or shows the error /token answered.
        page.wait_for_selector(".auth-container .btn.modal-btn.auth:has-text('Logout'), .auth-container .errors")
        errors = page.locator(".auth-container .errors").all_inner_texts()
        assert not errors, f"{target}: the Authorize dialog shows {errors}"
        page.click(".modal-ux .btn-done, .modal-ux .close-modal")

        operation = page.locator(CREATE_ITEM)
        operation.locator(".opblock-summary").first.click()
        operation.locator(".try-out__btn").click()
        body = {"title": title, "price": 4.25, "quantity": 2}
        operation.locator("textarea.body-param__text").fill(json.dumps(body))
        operation.locator(".btn.execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status").first
        status.wait_for()
        shown = status.inner_text().strip()
        screenshots.mkdir(parents=True, exist_ok=True)
        operation.screenshot(path=str(screenshots / f"{target}-docs-try-it-out.png"))
        assert shown.startswith("201"), f"{target}: Try it out on POST /items shows {shown!r}, not 201"
        assert not traffic.outside, f"requests left {browser.LOCAL_HOST}: {sorted(set(traffic.outside))}"

    found = api.titled(title)
    assert len(found) == 1, f"{target}: the API does not list the item Swagger UI created"
    assert (found[0]["price"], found[0]["quantity"], found[0]["owner"]) == (4.25, 2, user.username), found[0]
