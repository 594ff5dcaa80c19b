"""The authorize page, ``/oauth/``: what a user sees at ``https://www.pinterest.com/oauth/``.

``GET`` validates ``client_id`` and ``redirect_uri`` (a mismatch is an error *page*, never a
redirect, so an attacker cannot bounce users to their own URL) and shows the app, the requested
scopes and Approve / Deny buttons. The buttons POST back here; Approve redirects to the app with a
one-shot ``code`` and the ``state``, Deny with ``error=access_denied``. The ``authorize`` control
posts the same form, so headless approval takes exactly this path.

Who approves: the user signed in to the emulator in this browser, as on pinterest.com. A
browser is signed in as the app's owner (the default user) until it signs in as someone else
with the page's "Not you?" form (``POST /oauth/signin``), which keeps the user in the
``pinkit_emulator_user`` cookie. Each browser (or browser context) keeps its own.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..._backend import Backend
from ..._errors import ApiError, EmulatorError
from ..._registry import State
from ..user_account.rules import UserRules
from .rules import OAuthRules, parse_scopes

__all__ = ["CONSENT_ROUTE", "SIGNIN_ROUTE", "USER_COOKIE", "decide_url"]

USER_COOKIE = "pinkit_emulator_user"  # the user id this browser is signed in as


class ConsentError(Exception):
    """The request cannot be trusted to redirect anywhere: show an error page."""


async def _form(request: Request) -> dict[str, str]:
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


async def consent_endpoint(request: Request) -> Response:
    backend: Backend = request.app.state.backend
    signed_in = request.cookies.get(USER_COOKIE)
    if request.method == "POST":
        return await run_in_threadpool(_decide, backend, await _form(request), signed_in)
    return await run_in_threadpool(_page, backend, dict(request.query_params), signed_in)


async def signin_endpoint(request: Request) -> Response:
    """Sign this browser in as ``username``, then back to the consent page (``next``)."""
    backend: Backend = request.app.state.backend
    form = await _form(request)
    back = form.get("next", "")
    if not back.startswith("/oauth/?"):
        return _error_page("The sign-in form must come from the consent page.")
    with backend.read() as state:
        user = state.rules(UserRules).find_by_username(form.get("username", "").strip())
    if user is None:
        return _error_page(f"No emulator user is named {form.get('username', '')}.")
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(USER_COOKIE, user["id"], httponly=True, samesite="lax")
    return response


CONSENT_ROUTE = Route("/oauth/", consent_endpoint, methods=["GET", "POST"])
SIGNIN_ROUTE = Route("/oauth/signin", signin_endpoint, methods=["POST"])


def _approver(state: State, app: dict[str, Any], signed_in: str | None) -> str:
    """The user who answers the consent page: the one signed in, else the app's owner."""
    if signed_in and state.rules(UserRules).exists(signed_in):
        return signed_in
    return str(app["owner"])


def _validate(state: State, params: dict[str, str]) -> dict[str, Any]:
    rules = state.rules(OAuthRules)
    app = rules.get_app(params.get("client_id", ""))
    if app is None:
        raise ConsentError("Unknown client_id: this app is not registered with the emulator.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri or not rules.redirect_allowed(app, redirect_uri):
        raise ConsentError("The redirect_uri does not match any URI registered for this app.")
    return app


def _redirect_error(params: dict[str, str]) -> str | None:
    """An OAuth error to send back to the (validated) redirect_uri, if the request is bad."""
    if params.get("response_type") != "code":
        return "unsupported_response_type"
    try:
        if not parse_scopes(params.get("scope")):
            return "invalid_scope"
    except ApiError:
        return "invalid_scope"
    return None


def _redirect(uri: str, **params: str) -> RedirectResponse:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v]
    return RedirectResponse(urlunsplit(parts._replace(query=urlencode(query))), status_code=302)


def _page(backend: Backend, params: dict[str, str], signed_in: str | None = None) -> Response:
    with backend.read() as state:
        try:
            app = _validate(state, params)
        except ConsentError as err:
            return _error_page(str(err))
        username = state.rules(UserRules).username_of(_approver(state, app, signed_in))
    error = _redirect_error(params)
    if error:
        return _redirect(params["redirect_uri"], error=error, state=params.get("state", ""))
    scopes = parse_scopes(params.get("scope"))
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(params.get(k, ""))}">'
        for k in ("client_id", "redirect_uri", "response_type", "scope", "state")
    )
    items = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in scopes)
    here = html.escape("/oauth/?" + urlencode(params))
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize {html.escape(app["name"])}</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto}}
button{{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem}}</style></head>
<body><h1>pinkit emulator</h1>
<p><strong id="app-name">{html.escape(app["name"])}</strong> would like to access the account
<strong id="username">{html.escape(username)}</strong>
with these permissions:</p>
<ul id="scopes">{items}</ul>
<form method="post" action="/oauth/">{hidden}
<button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>
<form method="post" action="/oauth/signin" id="signin"><p>Not {html.escape(username)}?
<input type="hidden" name="next" value="{here}">
<input name="username" id="signin-username" placeholder="username" required>
<button type="submit" id="signin-submit">Sign in as another user</button></p>
</form></body></html>"""
    return HTMLResponse(body)


def _decide(backend: Backend, form: dict[str, str], signed_in: str | None = None) -> Response:
    with backend.write() as state:
        try:
            app = _validate(state, form)
        except ConsentError as err:
            return _error_page(str(err))
        redirect_state = form.get("state", "")
        error = _redirect_error(form)
        if error:
            return _redirect(form["redirect_uri"], error=error, state=redirect_state)
        if form.get("decision") != "approve":
            return _redirect(form["redirect_uri"], error="access_denied", state=redirect_state)
        code = state.rules(OAuthRules).create_code(
            app=app,
            redirect_uri=form["redirect_uri"],
            scopes=parse_scopes(form.get("scope")),
            user_id=_approver(state, app, signed_in),
        )
    return _redirect(form["redirect_uri"], code=code, state=redirect_state)


def _error_page(message: str) -> HTMLResponse:
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>OAuth error</title>'
        f'</head><body><h1>Something went wrong</h1><p id="error">{html.escape(message)}</p>'
        "</body></html>"
    )
    return HTMLResponse(body, status_code=400)


def decide_url(
    backend: Backend, url: str, *, approve: bool = True, user_id: str | None = None
) -> str:
    """Press Approve (or Deny) on the consent page for authorize ``url``, signed in as
    ``user_id`` (None: the app's owner); the redirect URL.

    Runs the same function as the page's form POST. Raises ``EmulatorError`` where the page
    would show an error (unknown client_id, unregistered redirect_uri) and for an unknown user.
    """
    if user_id is not None:
        with backend.read() as state:
            if not state.rules(UserRules).exists(user_id):
                raise EmulatorError(f"no user {user_id}")
    form = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    form["decision"] = "approve" if approve else "deny"
    response = _decide(backend, form, user_id)
    location = response.headers.get("location")
    if location is None:
        page = bytes(response.body).decode()
        message = page.split('<p id="error">', 1)[-1].split("</p>", 1)[0]
        raise EmulatorError(f"authorization refused: {html.unescape(message)}")
    return location
