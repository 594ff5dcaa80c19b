"""The app's HTML: one layout and a function per page; every value is escaped here."""

from __future__ import annotations

import time
from collections.abc import Iterable
from html import escape

from pinkit.models import Board
from pinkit.web import ConnectionStatus

__all__ = [
    "boards_page",
    "checkout_form",
    "connect_page",
    "home_page",
    "message_page",
    "shop_page",
    "signin_page",
    "thank_you_page",
]

STYLE = (
    "body{font-family:sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}"
    "nav a,nav form{margin-right:1rem;display:inline}label{display:block;margin:.5rem 0}"
    "input,select{font-size:1rem}.notice{background:#eef;padding:.5rem 1rem}"
)


def layout(title: str, body: str, user: str | None = None) -> str:
    nav = ""
    if user:
        nav = (
            '<nav><a href="/">Home</a><a href="/boards">Boards</a><a href="/shop">Shop</a>'
            '<a href="/checkout">Checkout</a>'
            f'<span id="user">Signed in as {escape(user)}</span> '
            '<form method="post" action="/signout"><button id="signout">Sign out</button>'
            "</form></nav>"
        )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}</style></head><body>{nav}<h1>{escape(title)}</h1>{body}"
        "</body></html>"
    )


def _connect_button(return_to: str, label: str = "Connect Pinterest") -> str:
    return (
        '<form method="post" action="/pinterest/connect">'
        f'<input type="hidden" name="return_to" value="{escape(return_to)}">'
        f'<button id="connect">{escape(label)}</button></form>'
    )


def signin_page(error: str | None = None) -> str:
    problem = f'<p class="notice" id="error">{escape(error)}</p>' if error else ""
    return layout(
        "Connect app",
        f"{problem}<p>Sign in to the app (a local account: any name will do).</p>"
        '<form method="post" action="/signin"><label>Name <input name="username" '
        'id="username" required pattern="[A-Za-z0-9_.\\-]{1,64}"></label>'
        '<button id="signin">Sign in</button></form>',
    )


def _when(epoch: float | None) -> str:
    return "unknown" if epoch is None else time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch))


def home_page(user: str, status: ConnectionStatus, notice: str | None) -> str:
    note = f'<p class="notice" id="notice">{escape(notice)}</p>' if notice else ""
    if not status.connected:
        body = f"{note}<p id='status'>Pinterest is not connected.</p>{_connect_button('/boards')}"
    else:
        body = (
            f"{note}<p id='status'>Pinterest is connected.</p><ul>"
            f"<li>Scopes: <span id='scopes'>{escape(' '.join(status.scopes))}</span></li>"
            f"<li>The login lasts until {escape(_when(status.expires_at))} unless it is used."
            "</li></ul>"
            '<form method="post" action="/pinterest/disconnect">'
            '<button id="disconnect">Disconnect Pinterest</button></form>'
        )
    return layout("Connect app", body, user)


def connect_page(user: str, reason: str, return_to: str) -> str:
    return layout(
        "Connect Pinterest",
        f'<p id="reason">{escape(reason)}</p>{_connect_button(return_to)}',
        user,
    )


def message_page(title: str, message: str, user: str | None, *, retry: bool = False) -> str:
    again = _connect_button("/boards", "Try again") if retry and user else ""
    return layout(title, f'<p id="message">{escape(message)}</p>{again}', user)


def boards_page(user: str, boards: Iterable[Board], notice: str | None) -> str:
    items = "".join(
        f'<li class="board" data-id="{escape(b.id or "")}">{escape(b.name or "")} '
        f"({b.pin_count or 0} pins)</li>"
        for b in boards
    )
    options = "".join(
        f'<option value="{escape(b.id or "")}">{escape(b.name or "")}</option>' for b in boards
    )
    note = f'<p class="notice" id="notice">{escape(notice)}</p>' if notice else ""
    pin_form = (
        (
            '<h2>Create a pin</h2><form method="post" action="/pins">'
            f'<label>Board <select name="board_id" id="pin-board">{options}</select></label>'
            '<label>Image URL <input name="image_url" id="pin-image" type="url" required>'
            '</label><label>Title <input name="title" id="pin-title" maxlength="100">'
            '</label><button id="create-pin">Create pin</button></form>'
        )
        if options
        else "<p>Create a board first.</p>"
    )
    return layout(
        "Your boards",
        f'{note}<ul id="boards">{items or "<li>No boards yet.</li>"}</ul>{pin_form}'
        '<h2>New board</h2><form method="post" action="/boards"><label>Name '
        '<input name="name" id="board-name" required maxlength="180"></label>'
        '<button id="create-board">Create board</button></form>',
        user,
    )


def shop_page(user: str, click_id: str | None) -> str:
    kept = (
        f'<p id="click-id">Pinterest click id kept for later events: {escape(click_id)}</p>'
        if click_id
        else ""
    )
    return layout(
        "Shop",
        f'<p>Welcome to the shop.</p>{kept}<p><a href="/checkout" id="to-checkout">'
        "Go to checkout</a></p>",
        user,
    )


def checkout_form(user: str) -> str:
    return layout(
        "Checkout",
        '<form method="post" action="/checkout">'
        '<label>E-mail <input name="email" id="email" type="email" required></label>'
        '<label>Amount (USD) <input name="value" id="value" value="24.00" required></label>'
        '<label>Items <input name="quantity" id="quantity" type="number" min="1" value="1">'
        '</label><button id="place-order">Place test order</button></form>',
        user,
    )


def thank_you_page(user: str, order_id: str, event_id: str, sent: str, tag: str) -> str:
    return layout(
        "Thank you",
        f'<p>Order <span id="order-id">{escape(order_id)}</span> is placed.</p>'
        f'<p>Event id: <code id="event-id">{escape(event_id)}</code></p>'
        f'<p id="server-event">{escape(sent)}</p>{tag}',
        user,
    )
