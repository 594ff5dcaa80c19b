"""The routes. ``create_app()`` reads ``Settings.from_env()``; uvicorn runs it with
``--factory`` (``uvicorn examples.connect_app.app:create_app --factory --workers 4``).

Each worker process makes one ``Connections`` at start-up (the lifespan), with a
``RedisRateLimiter`` when ``CONNECT_APP_REDIS_URL`` is set, so every worker counts against the
same Pinterest limits; each request makes a cheap ``async_client`` for its user.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import pinkit
from pinkit.conversions import click_id_from, make_event_id
from pinkit.web import (
    AccessDeniedError,
    Connections,
    LoginError,
    LoginStateError,
    NotConnectedError,
    tag_event,
)

from . import pages
from .sessions import COOKIE, MAX_AGE_S, USERNAME, read_session, sign_session
from .settings import SCOPES, Settings

__all__ = ["create_app"]

NOTICES = {
    "disconnected": "Disconnected: Pinterest revoked the app's access, and its tokens are gone.",
    "deleted": "Disconnected: the tokens are deleted here (Pinterest did not confirm the revoke).",
    "connected": "Pinterest is connected.",
    "board": "Board created.",
}
EPIK_MAX_AGE_S = 365 * 86400


class SignInRequired(Exception):
    """The route needs a signed-in local user."""


def _html(body: str, status: int = 200, **headers: str) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=headers or None)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        oauth_app = pinkit.OAuthApp(
            settings.client_id,
            settings.client_secret,
            settings.redirect_uri,
            api_base_url=settings.api_base_url,
            authorize_url=settings.authorize_url,
        )
        limiter = None
        if settings.redis_url:
            limiter = pinkit.RedisRateLimiter(
                settings.redis_url,
                limits=settings.rate_limits,
                on_error="closed" if settings.redis_on_error == "closed" else "open",
            )
        conns = Connections(
            settings.database_url,
            oauth_app,
            rate_limiter=limiter,
            rate_limits=None if limiter else settings.rate_limits,
        )
        app.state.conns = conns
        try:
            yield
        finally:
            await conns.aclose()
            if limiter is not None:
                await limiter.aclose()
                limiter.close()

    app = FastAPI(title="pinkit connect app", lifespan=lifespan, docs_url=None, redoc_url=None)

    def conns(request: Request) -> Connections:
        found: Connections = request.app.state.conns
        return found

    def user_of(request: Request) -> str | None:
        return read_session(settings.secret, request.cookies.get(COOKIE))

    def signed_in(request: Request) -> str:
        user = user_of(request)
        if user is None:
            raise SignInRequired
        return user

    def notice(request: Request) -> str | None:
        return NOTICES.get(request.query_params.get("notice", ""))

    # -- errors: what a user sees ----------------------------------------------------------------
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse("/", status_code=303)

    @app.exception_handler(NotConnectedError)
    async def _not_connected(request: Request, exc: NotConnectedError) -> Response:
        reason = "Connect your Pinterest account to see your boards and pins."
        return _html(pages.connect_page(signed_in(request), reason, request.url.path))

    @app.exception_handler(pinkit.OAuthError)
    async def _login_ended(request: Request, exc: pinkit.OAuthError) -> Response:
        reason = "Your Pinterest login has ended (Pinterest refused to renew it): connect again."
        return _html(pages.connect_page(signed_in(request), reason, request.url.path))

    @app.exception_handler(pinkit.RateLimitError)
    async def _busy(request: Request, exc: pinkit.RateLimitError) -> Response:
        wait = max(1, round(exc.retry_after or 1))
        text = f"Pinterest's rate limit for this account is used up: try again in {wait} s."
        page = pages.message_page("Busy", text, user_of(request))
        return _html(page, 503, **{"Retry-After": str(wait)})

    @app.exception_handler(pinkit.RateLimiterError)
    async def _limiter_down(request: Request, exc: pinkit.RateLimiterError) -> Response:
        text = "The shared rate limiter is unavailable, so the app does not call Pinterest now."
        return _html(pages.message_page("Unavailable", text, user_of(request)), 503)

    @app.exception_handler(pinkit.InvalidInputError)
    async def _bad_input(request: Request, exc: pinkit.InvalidInputError) -> Response:
        return _html(pages.message_page("Check the form", str(exc), user_of(request)), 400)

    @app.exception_handler(pinkit.PinterestError)
    async def _pinterest_failed(request: Request, exc: pinkit.PinterestError) -> Response:
        text = f"Pinterest did not answer as expected: {exc}"
        return _html(pages.message_page("Pinterest error", text, user_of(request)), 502)

    # -- the click id: kept from the landing for later events -----------------------------------
    @app.middleware("http")
    async def keep_epik(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        epik = click_id_from(str(request.url))
        if epik and request.cookies.get("_epik") != epik:
            response.set_cookie(
                "_epik",
                epik,
                max_age=EPIK_MAX_AGE_S,
                secure=settings.secure_cookies,
                samesite="lax",
            )
        return response

    # -- local sign-in ------------------------------------------------------------------------
    @app.get("/")
    async def home(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return _html(pages.signin_page())
        status = await conns(request).astatus(user)
        return _html(pages.home_page(user, status, notice(request)))

    @app.post("/signin")
    async def signin(username: Annotated[str, Form()]) -> Response:
        username = username.strip()
        if not USERNAME.fullmatch(username):
            page = pages.signin_page("A name is 1 to 64 letters, digits, '.', '_' or '-'.")
            return _html(page, 400)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            sign_session(settings.secret, username),
            max_age=MAX_AGE_S,
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
        )
        return response

    @app.post("/signout")
    async def signout() -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # -- connecting Pinterest -----------------------------------------------------------------
    @app.post("/pinterest/connect")
    async def connect(request: Request, return_to: Annotated[str, Form()] = "/boards") -> Response:
        # pinkit refuses a return_to off this site (InvalidInputError: a 400 page)
        url = await conns(request).abegin_login(signed_in(request), SCOPES, return_to=return_to)
        return RedirectResponse(url, status_code=303)

    @app.get("/pinterest/callback")
    async def callback(request: Request) -> Response:
        user = signed_in(request)
        try:
            result = await conns(request).acomplete_login(str(request.url), user_key=user)
        except AccessDeniedError:
            text = (
                "You declined to connect your Pinterest account, so nothing was shared with "
                "this app. You can connect it whenever you like."
            )
            return _html(pages.message_page("Pinterest not connected", text, user, retry=True))
        except LoginStateError as exc:
            text = f"This Pinterest sign-in cannot be used here: {exc}. Nothing was connected."
            page = pages.message_page("Pinterest not connected", text, user, retry=True)
            return _html(page, 400)
        except LoginError as exc:
            page = pages.message_page("Pinterest not connected", str(exc), user, retry=True)
            return _html(page, 400)
        return RedirectResponse(result.return_to or "/?notice=connected", status_code=303)

    @app.post("/pinterest/disconnect")
    async def disconnect(request: Request) -> Response:
        revoked = await conns(request).adisconnect(signed_in(request))
        return RedirectResponse(f"/?notice={'disconnected' if revoked else 'deleted'}", 303)

    # -- boards and pins ----------------------------------------------------------------------
    @app.get("/boards")
    async def boards(request: Request, pin: str | None = None) -> Response:
        user = signed_in(request)
        async with conns(request).async_client(user) as client:
            found = [board async for board in client.boards.list()]
        message = f"Pin {pin} created." if pin and pin.isdigit() else notice(request)
        return _html(pages.boards_page(user, found, message))

    @app.post("/boards")
    async def create_board(request: Request, name: Annotated[str, Form()]) -> Response:
        async with conns(request).async_client(signed_in(request)) as client:
            await client.boards.create(name)
        return RedirectResponse("/boards?notice=board", status_code=303)

    @app.post("/pins")
    async def create_pin(
        request: Request,
        board_id: Annotated[str, Form()],
        image_url: Annotated[str, Form()],
        title: Annotated[str, Form()] = "",
    ) -> Response:
        async with conns(request).async_client(signed_in(request)) as client:
            pin = await client.pins.create(
                board_id, pinkit.ImageURL(image_url), title=title or None
            )
        return RedirectResponse(f"/boards?pin={pin.id}", status_code=303)

    # -- the shop: a conversion sent by the server and by the tag, with one event id ----------
    @app.get("/shop")
    async def shop(request: Request) -> Response:
        user = signed_in(request)
        return _html(pages.shop_page(user, click_id_from(str(request.url), request.cookies)))

    @app.get("/checkout")
    async def checkout_form(request: Request) -> Response:
        return _html(pages.checkout_form(signed_in(request)))

    @app.post("/checkout")
    async def checkout(
        request: Request,
        email: Annotated[str, Form()],
        value: Annotated[str, Form()],
        quantity: Annotated[int, Form()] = 1,
    ) -> Response:
        user = signed_in(request)
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite() or amount <= 0 or quantity < 1:
            return _html(
                pages.message_page("Check the form", "Give an amount and items.", user), 400
            )
        order_id = f"order-{secrets.token_hex(6)}"
        event_id = make_event_id(order_id, "checkout")
        user_data = {
            "em": email,
            "client_ip_address": request.client.host if request.client else None,
            "client_user_agent": request.headers.get("user-agent"),
            "click_id": click_id_from(str(request.url), request.cookies),
        }
        event = {
            "event_name": "checkout",
            "action_source": "web",
            "event_time": int(time.time()),
            "event_id": event_id,
            "event_source_url": str(request.url),
            "user_data": {k: v for k, v in user_data.items() if v},
            "custom_data": {
                "currency": "USD",
                "value": str(amount),
                "order_id": order_id,
                "num_items": quantity,
            },
        }
        async with conns(request).async_client(user) as client:
            account = settings.ad_account_id
            if account is None:
                async for found in client.ad_accounts.list(max_items=1):
                    account = found.id
            if account is None:
                sent = "No ad account on this Pinterest account: the server sent no event."
            else:
                result = await client.conversions.send(account, [event])
                sent = f"Server event for ad account {account}: {result}."
        tag = tag_event(
            settings.tag_id,
            "checkout",
            event_id=event_id,
            email=email,
            value=amount,
            currency="USD",
            order_quantity=quantity,
            order_id=order_id,
        )
        return _html(pages.thank_you_page(user, order_id, event_id, sent, tag))

    return app
