"""The pages of the three admin products, as the browser test drives them: one class per ``[admin] kind``.

Each class names its product's URLs and selectors, taken from the product's own documented pages and
templates: Django's admin (``django.contrib.admin``), Flask-Admin 2 (its Bootstrap 4 templates) and
SQLAdmin. What every admin shares (DESIGN.md, "Schema, migrations, admin and the browse page"; issue 16) is
in ``AdminPages``: the login page has inputs named ``username`` and ``password`` and a submit button, and a
visitor who is not logged in as an administrator asking for the items list gets that login page.

Where this test does not know a URL (the login view, which the Flask implementation adds to Flask-Admin),
it follows the redirect from the items list instead of naming one.
"""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import Page

LOGIN_FORM = "form:has(input[name='password'])"
TIMEOUT_MS = 15_000


class AdminPages:
    """An admin at ``base_url + /admin/``: where its item pages are and how its forms show errors."""

    kind = ""
    save_button = ""  # the create/edit form's plain "Save"
    form_error = ""  # the message a refused form shows at its top
    login_error = ""  # the message a refused login shows

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def list_url(self, search: str | None = None) -> str:
        raise NotImplementedError

    def add_url(self) -> str:
        raise NotImplementedError

    def change_url(self, item_id: int) -> str:
        raise NotImplementedError

    def field_error(self, field: str) -> str:
        """Selector of the error shown next to the form's ``field``."""
        return f".form-group:has([name='{field}']) .invalid-feedback"

    def delete(self, page: Page, item_id: int) -> None:
        """Delete item ``item_id`` the way a person does in this admin, confirmation included."""
        raise NotImplementedError

    @staticmethod
    def is_login_page(page: Page) -> bool:
        return page.locator(f"{LOGIN_FORM} input[name='username']").count() == 1

    def log_in(self, page: Page, username: str, password: str) -> None:
        """Ask for the items list, get the login page, log in with ``username``/``password``.

        Returns on the page the admin shows after the login form was posted (the admin, or the login page
        again with an error for credentials it refuses).
        """
        page.goto(self.list_url())
        if not self.is_login_page(page):
            raise AssertionError(f"{self.list_url()} showed no login page to a visitor not logged in: {page.url}")
        page.fill(f"{LOGIN_FORM} input[name='username']", username)
        page.fill(f"{LOGIN_FORM} input[name='password']", password)
        with page.expect_navigation(timeout=TIMEOUT_MS):
            page.click(f"{LOGIN_FORM} [type='submit']")

    def submit_item_form(self, page: Page, url: str, fields: dict[str, str]) -> None:
        """Open the form at ``url``, fill ``fields`` (name: value), and post it with "Save".

        The browser's own checks (``min``, ``required``, ``maxlength``) are switched off first: the test is of
        what the server accepts, which is all that stands between a crafted post and the database.
        """
        page.goto(url)
        page.eval_on_selector_all(
            "form",
            "forms => forms.forEach(form => { form.noValidate = true;"
            " form.querySelectorAll('[maxlength]').forEach(field => field.removeAttribute('maxlength')); })",
        )
        for name, value in fields.items():
            page.fill(f"form [name='{name}']", value)
        with page.expect_navigation(timeout=TIMEOUT_MS):
            page.click(self.save_button)


class DjangoAdmin(AdminPages):
    """``django.contrib.admin`` for the app ``items``: /admin/items/item/ and its add/change/delete pages."""

    kind = "django"
    save_button = "input[type='submit'][name='_save']"
    form_error = ".errornote"
    login_error = ".errornote"

    def list_url(self, search: str | None = None) -> str:
        return f"{self.base_url}/admin/items/item/" + (f"?q={quote(search)}" if search else "")

    def add_url(self) -> str:
        return f"{self.base_url}/admin/items/item/add/"

    def change_url(self, item_id: int) -> str:
        return f"{self.base_url}/admin/items/item/{item_id}/change/"

    def field_error(self, field: str) -> str:
        return f".field-{field} .errorlist"

    def delete(self, page: Page, item_id: int) -> None:
        page.goto(f"{self.base_url}/admin/items/item/{item_id}/delete/")
        with page.expect_navigation(timeout=TIMEOUT_MS):
            page.click("form:has(input[name='post']) [type='submit']")  # "Yes, I'm sure"


class FlaskAdmin(AdminPages):
    """Flask-Admin 2's ``ModelView`` for ``Item`` (endpoint ``item``): /admin/item/, /new/, /edit/?id=."""

    kind = "flask-admin"
    save_button = "form input[type='submit'][value='Save']"
    form_error = ".alert-danger"
    login_error = ".alert-danger, .invalid-feedback, .text-danger"  # the login view is the implementation's own

    def list_url(self, search: str | None = None) -> str:
        return f"{self.base_url}/admin/item/" + (f"?search={quote(search)}" if search else "")

    def add_url(self) -> str:
        return f"{self.base_url}/admin/item/new/"

    def change_url(self, item_id: int) -> str:
        return f"{self.base_url}/admin/item/edit/?id={item_id}"

    def delete(self, page: Page, item_id: int) -> None:
        # The list's row action: a POST form with the record's id, behind a confirm() dialog.
        page.goto(self.list_url())
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation(timeout=TIMEOUT_MS):
            page.click(f"form[action*='/delete/']:has(input[name='id'][value='{item_id}']) button")


class SQLAdmin(AdminPages):
    """SQLAdmin's ``ModelView`` for ``Item`` (identity ``item``): /admin/item/list, /create, /edit/ID."""

    kind = "sqladmin"
    save_button = "form input[type='submit'][name='save'][value='Save']"
    form_error = ".alert-danger"
    login_error = ".invalid-feedback"

    def list_url(self, search: str | None = None) -> str:
        return f"{self.base_url}/admin/item/list" + (f"?search={quote(search)}" if search else "")

    def add_url(self) -> str:
        return f"{self.base_url}/admin/item/create"

    def change_url(self, item_id: int) -> str:
        return f"{self.base_url}/admin/item/edit/{item_id}"

    def delete(self, page: Page, item_id: int) -> None:
        # The details page's Delete opens a modal whose button sends DELETE /admin/item/delete?pks=ID
        # (SQLAdmin's main.js), then goes to the URL the server answers with.
        page.goto(f"{self.base_url}/admin/item/details/{item_id}")
        page.click("a[data-bs-target='#modal-delete']")
        page.wait_for_selector("#modal-delete-button", state="visible", timeout=TIMEOUT_MS)
        with page.expect_navigation(timeout=TIMEOUT_MS):
            page.click("#modal-delete-button")


KINDS = {pages.kind: pages for pages in (DjangoAdmin, FlaskAdmin, SQLAdmin)}


def pages_for(kind: str, base_url: str) -> AdminPages:
    """The pages of admin product ``kind`` (``[admin] kind`` in impl.toml) served at ``base_url``."""
    if kind not in KINDS:
        raise AssertionError(f"unknown [admin] kind {kind!r}: the browser test knows {', '.join(KINDS)}")
    return KINDS[kind](base_url)
