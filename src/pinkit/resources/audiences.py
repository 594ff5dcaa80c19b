"""Audiences: list, get, create and update, and the two made from what pinkit uploads:
``create_from_customer_list`` and ``create_actalike``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._flow import Flow
from .._resource import Call, M, PageCall, paginated, workflow
from .._validate import check_fields, check_id, check_path_id
from ..customer_lists._results import needs_oauth
from ..errors import InvalidInputError, PinterestError
from ..models import Audience
from ._ads import AdAccountResource, list_params, require

__all__ = ["ACTALIKE_COUNTRIES", "ACTALIKE_PERCENTAGES", "AudiencesAPI"]

#: An Actalike's ``rule.country`` and ``rule.percentage``. The spec gives both only in the
#: prose of ``AudienceRule``: "Valid countries include: "US", "CA", and "GB". Percentage should
#: be 1-10." (its schema types ``percentage`` as an integer, which is what is sent).
ACTALIKE_COUNTRIES = ("US", "CA", "GB")
ACTALIKE_PERCENTAGES = range(1, 11)
WHAT = "audiences"


def _path(account: str, audience_id: str | None = None) -> str:
    base = f"/ad_accounts/{account}/audiences"
    return base if audience_id is None else f"{base}/{audience_id}"


def _seed_ids(seed_ids: Any) -> list[str]:
    if isinstance(seed_ids, str):
        seed_ids = [seed_ids]
    if isinstance(seed_ids, Mapping | bytes) or not isinstance(seed_ids, Sequence):
        raise InvalidInputError(f"seed_ids must be a list of audience ids, got {seed_ids!r}")
    if not seed_ids:
        raise InvalidInputError("seed_ids needs at least one audience id")
    return [check_id("seed_ids", seed) for seed in seed_ids]


def _percentage(value: Any) -> Any:
    """``percentage`` checked (an int from 1 to 10) and in the type the spec gives."""
    from .._constraints import field

    if isinstance(value, bool) or not isinstance(value, int) or value not in ACTALIKE_PERCENTAGES:
        raise InvalidInputError(f"percentage must be a whole number from 1 to 10, got {value!r}")
    kind = field("audiences/create", "rule.percentage").type
    return value if kind == "integer" else str(value)


def _country(value: Any) -> str:
    country = value.strip().upper() if isinstance(value, str) else value
    if country not in ACTALIKE_COUNTRIES:
        raise InvalidInputError(
            f"country must be one of {', '.join(ACTALIKE_COUNTRIES)} (Actalike audiences are "
            f"made in those), got {value!r}"
        )
    return str(country)


def check_rule(audience_type: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    """The rule of a CUSTOMER_LIST or ACTALIKE audience checked (the other types as the spec
    allows them)."""
    checked = dict(rule)
    if audience_type == "CUSTOMER_LIST":
        list_id = checked.get("customer_list_id")
        if list_id is None:
            raise InvalidInputError("a CUSTOMER_LIST audience needs rule.customer_list_id")
        checked["customer_list_id"] = check_id("customer_list_id", list_id)
    elif audience_type == "ACTALIKE":
        checked["seed_id"] = _seed_ids(checked.get("seed_id"))
        checked["country"] = _country(checked.get("country"))
        checked["percentage"] = _percentage(checked.get("percentage"))
    return checked


class AudiencesAPI(AdAccountResource[M]):
    """Targeting audiences of an ad account.

    Every method takes the ad account first: ``ad_account_id=None`` is the client's
    (``Client(ad_account_id=...)``, else ``PINTEREST_AD_ACCOUNT_ID``). Inputs are checked
    before anything is sent (the spec's types and enums; for an Actalike its countries and
    percentages). Audiences need an OAuth access token: a conversion access token is
    refused with an error that says so.
    """

    def _oauth(self, call: Call[Audience], operation_id: str) -> Flow[Audience]:
        try:
            return (yield from self._call(call))
        except PinterestError as exc:
            scope = "ads:read" if call.method == "GET" else "ads:write"
            explained = needs_oauth(exc, WHAT, operation_id, scope)
            if explained is exc:
                raise
            raise explained from None

    @paginated
    def list(
        self,
        /,
        ad_account_id: str | None = None,
        *,
        order: str | None = None,
        ownership_type: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> PageCall[Audience]:
        """Every audience of the ad account (``ownership_type`` OWNED, the default, or
        RECEIVED: shared with it; ``order`` ASCENDING or DESCENDING)."""
        account = self._account(ad_account_id)
        filters = {"order": order, "ownership_type": ownership_type}
        query = list_params("audiences/list", account, filters, False)
        return PageCall(_path(account), query, page_size, max_items, item=Audience)

    @workflow
    def get(
        self, ad_account_id: str | None = None, audience_id: str | None = None
    ) -> Flow[Audience]:
        """One audience: its rule, status and (once built) size."""
        account = self._account(ad_account_id)
        found = check_path_id("audiences/get", "audience_id", require("audience_id", audience_id))
        call = Call("GET", _path(account, found), parse=Audience.model_validate)
        return self._oauth(call, "audiences/get")

    def _create(
        self,
        ad_account_id: str | None,
        name: str | None,
        audience_type: str | None,
        rule: Any,
        description: str | None,
    ) -> Flow[Audience]:
        account = self._account(ad_account_id)
        kind = require("audience_type", audience_type)
        given = require("rule", rule)
        if not isinstance(given, Mapping):
            raise InvalidInputError(f"rule must be an object (a dict), got {given!r}")
        body = {"name": require("name", name), "audience_type": kind, "description": description}
        fields = check_fields("audiences/create", {**body, "rule": check_rule(kind, given)})
        call = Call("POST", _path(account), json=fields, parse=Audience.model_validate)
        return self._oauth(call, "audiences/create")

    @workflow
    def create(
        self,
        ad_account_id: str | None = None,
        name: str | None = None,
        audience_type: str | None = None,
        rule: Mapping[str, Any] | None = None,
        *,
        description: str | None = None,
    ) -> Flow[Audience]:
        """An audience of any type (``CUSTOMER_LIST``, ``VISITOR``, ``ENGAGEMENT``,
        ``ACTALIKE``, ``PERSONA``) with its ``rule``, as Pinterest's ``AudienceCreateRequest``
        has them; the rules of CUSTOMER_LIST and ACTALIKE audiences are checked as
        ``create_from_customer_list`` and ``create_actalike`` check them."""
        return self._create(ad_account_id, name, audience_type, rule, description)

    @workflow
    def create_from_customer_list(
        self,
        ad_account_id: str | None = None,
        name: str | None = None,
        customer_list_id: str | None = None,
        *,
        description: str | None = None,
    ) -> Flow[Audience]:
        """A CUSTOMER_LIST audience: the people of ``customer_list_id`` who match Pinterest
        users (its status follows the list's: INITIALIZING while it is matched, then READY or
        TOO_SMALL)."""
        rule = {"customer_list_id": require("customer_list_id", customer_list_id)}
        return self._create(ad_account_id, name, "CUSTOMER_LIST", rule, description)

    @workflow
    def create_actalike(
        self,
        ad_account_id: str | None = None,
        name: str | None = None,
        seed_ids: str | Sequence[str] | None = None,
        *,
        country: str,
        percentage: int,
        description: str | None = None,
    ) -> Flow[Audience]:
        """An ACTALIKE audience: Pinterest users like those of the seed audiences
        (``seed_ids``: audience ids of the same ad account, such as a CUSTOMER_LIST audience),
        ``percentage`` (an int from 1 to 10) of the Pinterest users of ``country`` (US, CA or
        GB). Checked before sending; Pinterest refuses seeds that are not audiences of the
        account."""
        rule = {
            "seed_id": _seed_ids(require("seed_ids", seed_ids)),
            "country": _country(country),
            "percentage": _percentage(percentage),
        }
        return self._create(ad_account_id, name, "ACTALIKE", rule, description)

    @workflow
    def update(
        self,
        ad_account_id: str | None = None,
        audience_id: str | None = None,
        *,
        name: str | None = None,
        rule: Mapping[str, Any] | None = None,
        description: str | None = None,
        operation_type: str | None = None,
    ) -> Flow[Audience]:
        """Edit an audience (``name``, ``rule``, ``description``), or remove it with
        ``operation_type="REMOVE"`` (Pinterest has no DELETE for audiences)."""
        account = self._account(ad_account_id)
        found = check_path_id(
            "audiences/update", "audience_id", require("audience_id", audience_id)
        )
        if rule is not None and not isinstance(rule, Mapping):
            raise InvalidInputError(f"rule must be an object (a dict), got {rule!r}")
        fields = check_fields(
            "audiences/update",
            {
                "name": name,
                "rule": None if rule is None else dict(rule),
                "description": description,
                "operation_type": operation_type,
            },
        )
        if not fields:
            raise InvalidInputError(
                "nothing to update: give name, rule, description or operation_type"
            )
        call = Call("PATCH", _path(account, found), json=fields, parse=Audience.model_validate)
        return self._oauth(call, "audiences/update")
