"""Facts about the Conversions API that the spec states only in prose (or not at all), written
once for the client's checks and the emulator's answers. Sources: the spec's ``events/create``
and ``ConversionEventsUserData`` descriptions, and api-facts §1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = [
    "ACTION_SOURCES",
    "DEDUP_WINDOW_S",
    "EVENT_NAMES",
    "HASHED_FIELDS",
    "MAX_EVENT_AGE_S",
    "PLAIN_FIELDS",
    "QUALITY_COMPONENTS",
    "SHA256_HEX",
    "TEST_BATCH_PROCESSED",
    "has_identity",
]

#: The 15 event names of the spec (5.23) and the 7 newer ones Pinterest's current docs add
#: (api-facts §1.2). Any other name is processed as an "Unknown" event, with a warning.
EVENT_NAMES = frozenset(
    {
        "add_payment_info",
        "add_to_cart",
        "add_to_wishlist",
        "app_install",
        "checkout",
        "custom",
        "initiate_checkout",
        "lead",
        "page_visit",
        "search",
        "signup",
        "subscribe",
        "view_category",
        "view_content",
        "watch_video",
        "app_open",
        "contact",
        "customize_product",
        "find_location",
        "schedule",
        "start_trial",
        "submit_application",
    }
)

ACTION_SOURCES = frozenset({"app_android", "app_ios", "web", "offline"})

#: ``user_data`` fields sent as lists of SHA-256 hex digests.
HASHED_FIELDS: tuple[str, ...] = (
    "em",
    "ph",
    "ge",
    "db",
    "ln",
    "fn",
    "ct",
    "st",
    "zp",
    "country",
    "external_id",
    "hashed_maids",
)
#: ``user_data`` fields sent as plain strings, never hashed.
PLAIN_FIELDS = ("client_ip_address", "client_user_agent", "click_id", "partner_id")

SHA256_HEX = re.compile(r"[0-9a-f]{64}")

#: Pinterest keeps the first of events with the same ``event_id`` and ``event_name`` within
#: 48 hours (offline events are never deduplicated).
DEDUP_WINDOW_S = 48 * 3600
#: "Only events that occurred within the previous seven days may be sent."
MAX_EVENT_AGE_S = 7 * 86400
#: A test batch (``test=true``) has only its first 20 events processed.
TEST_BATCH_PROCESSED = 20


#: Event Quality Score components (``conversion_eqs/list``) and what in an event each one
#: looks at: ``(section, field)``, the section ``""`` being the event itself.
QUALITY_COMPONENTS: Mapping[str, tuple[str, str]] = {
    "hashed_email": ("user_data", "em"),
    "hashed_maid": ("user_data", "hashed_maids"),
    "ip_address": ("user_data", "client_ip_address"),
    "user_agent": ("user_data", "client_user_agent"),
    "click_id_epik": ("user_data", "click_id"),
    "advertiser_external_id": ("user_data", "external_id"),
    "external_event_id": ("", "event_id"),
    "order_id": ("custom_data", "order_id"),
    "order_value": ("custom_data", "value"),
    "product_id": ("custom_data", "content_ids"),
    "source_url": ("", "event_source_url"),
}


def has_identity(user_data: dict[str, object]) -> bool:
    """The identity requirement: ``em``, or ``hashed_maids``, or ``client_ip_address`` with
    ``client_user_agent``."""
    return bool(
        user_data.get("em")
        or user_data.get("hashed_maids")
        or (user_data.get("client_ip_address") and user_data.get("client_user_agent"))
    )
