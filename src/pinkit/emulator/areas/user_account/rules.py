"""Users and what hangs off the account: followers, following, websites, followed interests,
linked businesses.

Fresh state holds the default user (a BUSINESS account) and a few of each list, so that every
list has something to page through.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from ..._errors import ApiError, EmulatorError
from ..._params import Listing
from ..._registry import Rules

__all__ = ["DEFAULT_USERNAME", "USER", "UserRules"]

DEFAULT_USERNAME = "emulator_user"
USER, FOLLOWER, FOLLOWING, WEBSITE, INTEREST, BUSINESS = (
    "user",
    "follower",
    "following",
    "website",
    "followed_interest",
    "linked_business",
)
DEFAULT_FOLLOWERS = 12
USER_NOT_FOUND = 30


def _naive_utc(epoch: float) -> str:
    # UserWebsiteSummary.verified_at is a naive UTC timestamp ("2022-12-14T21:03:01.602000").
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None).isoformat()


class UserRules(Rules):
    # -- users --------------------------------------------------------------------------------
    def seed_default_user(self) -> None:
        user_id = self.tx.new_id()
        self.tx.insert(
            USER,
            {
                "id": user_id,
                "username": DEFAULT_USERNAME,
                "account_type": "BUSINESS",
                "business_name": "Emulator Business",
                "about": "The pinkit emulator's default account.",
                "profile_image": "https://i.pinimg.com/280x280_RS/00/00/00/emulator_user.jpg",
                "website_url": "https://emulator.example",
                "monthly_views": 0,
            },
            id=user_id,
        )
        self.tx.meta_set("default_user", user_id)
        self.replace_followers(user_id, DEFAULT_FOLLOWERS)
        for name in ("pinterest", "emulator_friend"):
            self.tx.insert(FOLLOWING, {"type": "user", "username": name}, owner=user_id)
        self.verify_website(user_id, "emulator.example")
        for key, name in (("home decor", "Home decor"), ("diy projects", "DIY projects")):
            interest_id = self.tx.new_id()
            interest = {"id": interest_id, "key": key, "name": name}
            interest["canonical_url"] = key.replace(" ", "-")
            self.tx.insert(INTEREST, interest, owner=user_id)
        # No linked business accounts: the list exists for accounts that manage others.

    def create_user(self, username: str) -> str:
        """Another (PINNER) user, e.g. to own boards the default user must not touch."""
        if not username.strip() or " " in username:
            raise EmulatorError("username must be a non-empty string without spaces")
        if self.find_by_username(username) is not None:
            raise EmulatorError(f"username {username!r} is taken")
        user_id = self.tx.new_id()
        user = {"id": user_id, "username": username, "account_type": "PINNER"}
        self.tx.insert(USER, user, id=user_id)
        return user_id

    def exists(self, user_id: str) -> bool:
        return self.tx.get(USER, user_id) is not None

    def get(self, user_id: str) -> dict[str, Any]:
        user = self.tx.get(USER, user_id)
        if user is None:
            raise ApiError(404, "User not found.", code=USER_NOT_FOUND)
        return user

    def find_by_username(self, username: str) -> dict[str, Any] | None:
        for doc in self.tx.list(USER):
            if doc.data.get("username") == username:
                return doc.data
        return None

    def username_of(self, user_id: str | None, cache: dict[str, str] | None = None) -> str:
        if user_id is None:
            return ""
        if cache is not None and user_id in cache:
            return cache[user_id]
        user = self.tx.get(USER, user_id)
        name = str(user["username"]) if user else ""
        if cache is not None:
            cache[user_id] = name
        return name

    # -- lists off the account ----------------------------------------------------------------
    def replace_followers(self, user_id: str, count: int) -> None:
        self.tx.delete_all(FOLLOWER, owner=user_id)
        for n in range(1, count + 1):
            self.tx.insert(
                FOLLOWER, {"type": "user", "username": f"follower_{n:04d}"}, owner=user_id
            )

    def follower_count(self, user_id: str) -> int:
        return self.tx.count(FOLLOWER, owner=user_id)

    def following_count(self, user_id: str) -> int:
        return self.tx.count(FOLLOWING, owner=user_id)

    def followers(self, user_id: str) -> Listing:
        return Listing(FOLLOWER, owner=user_id)

    def following(self, user_id: str) -> Listing:
        return Listing(FOLLOWING, owner=user_id)

    def websites(self, user_id: str) -> Listing:
        return Listing(WEBSITE, owner=user_id)

    def businesses(self, user_id: str) -> list[dict[str, Any]]:
        return [doc.data for doc in self.tx.list(BUSINESS, owner=user_id)]

    def interests_of(self, username: str) -> Listing:
        user = self.find_by_username(username)
        if user is None:
            raise ApiError(404, "User not found.", code=USER_NOT_FOUND)
        return Listing(INTEREST, owner=str(user["id"]))

    def verify_website(self, user_id: str, website: str) -> dict[str, Any]:
        summary = {"website": website, "status": "success", "verified_at": _naive_utc(self.now)}
        self.tx.put(WEBSITE, f"{user_id}:{website}", summary, owner=user_id)
        return summary

    def unverify_website(self, user_id: str, website: str) -> None:
        if not self.tx.delete(WEBSITE, f"{user_id}:{website}"):
            raise ApiError(404, "Website not in user list.", code=404)

    @staticmethod
    def verification_code(user_id: str) -> dict[str, str]:
        code = hashlib.md5(user_id.encode(), usedforsecurity=False).hexdigest()
        return {
            "verification_code": code,
            "dns_txt_record": f"pinterest-site-verification={code}",
            "metatag": f'<meta name="p:domain_verify" content="{code}"/>',
            "filename": f"pinterest-{code[:5]}.html",
            "file_content": (
                f'<!DOCTYPE html><html><head><meta name="pinterest" content="{code}"/></head>'
                "<body>Pinterest site verification</body></html>"
            ),
        }
