"""A scripted person at the emulator's sign-in pages: follows the HTML forms
with `requests` and the standard library's HTML parser, as a browser would,
until the authorization server redirects to the app's redirect URI.

It knows only what Microsoft's own sign-in page exposes: the user name input
is named `login`, the password input `passwd`, and the primary button (Next,
Sign in, Accept) has the id `idSIButton9`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

PRIMARY_BUTTON_ID = "idSIButton9"


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    # (id, name, value) of each submit button
    buttons: list[tuple[str, str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._button: dict[str, str] | None = None
        self.error_texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._current = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                self._current.buttons.append((a.get("id", ""), a.get("name", ""), a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a and a.get("name"):
                    self._current.fields[a["name"]] = a.get("value", "on")
            elif a.get("name"):
                self._current.fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self._current is not None:
            if a.get("type", "submit").lower() == "submit":
                self._current.buttons.append((a.get("id", ""), a.get("name", ""), a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class SignInError(AssertionError):
    pass


def sign_in(
    session: requests.Session,
    auth_uri: str,
    *,
    upn: str,
    password: str,
    redirect_uri: str,
    max_steps: int = 12,
) -> str:
    """Open `auth_uri`, fill in and submit each page's primary form, and
    return the final redirect to `redirect_uri` (with `code` or `error`).
    Raises SignInError with the page text when it gets stuck."""
    resp = session.get(auth_uri, allow_redirects=False, timeout=10)
    for _ in range(max_steps):
        if resp.is_redirect:
            location = urljoin(resp.url, resp.headers["Location"])
            if location.startswith(redirect_uri.rstrip("/")):
                return location
            resp = session.get(location, allow_redirects=False, timeout=10)
            continue
        if resp.status_code != 200:
            raise SignInError(f"{resp.request.method} {resp.url} answered {resp.status_code}: {resp.text[:500]}")
        forms = parse_forms(resp.text)
        form = next((f for f in forms if any(b[0] == PRIMARY_BUTTON_ID for b in f.buttons)), None)
        if form is None:
            raise SignInError(f"no form with a #{PRIMARY_BUTTON_ID} button at {resp.url}:\n{resp.text[:1500]}")
        data = dict(form.fields)
        if "login" in data:
            data["login"] = upn
        if "passwd" in data:
            data["passwd"] = password
        button = next(b for b in form.buttons if b[0] == PRIMARY_BUTTON_ID)
        if button[1]:
            data[button[1]] = button[2]
        target = urljoin(resp.url, form.action or resp.url)
        if form.method == "post":
            resp = session.post(target, data=data, allow_redirects=False, timeout=10)
        else:
            resp = session.get(target, params=data, allow_redirects=False, timeout=10)
    raise SignInError(f"sign-in did not reach {redirect_uri} in {max_steps} steps; last page {resp.url}")
