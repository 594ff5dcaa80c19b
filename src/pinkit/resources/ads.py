"""Ads (promoted pins): list, get, create and update in bulk, status changes, and
``promote_pin``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from .. import _adrules
from .._batch import BatchResult, DryRun, ItemError, PlannedRequest, finished, planned
from .._flow import Flow
from .._resource import Call, M, PageCall, endpoint, paginated, workflow
from ..errors import InvalidInputError, PinterestError
from ..models import Ad, AdGroup, Campaign
from ..money import Amount, format_amount, to_micros
from ._ads import EntityKind, EntityResource, bulk_call, item_problem, require, write_one_flow
from .ad_accounts import get_call as account_call
from .ad_groups import AD_GROUP, bid_floors_call
from .campaigns import CAMPAIGN

__all__ = ["AD", "AdsAPI", "PromoteError", "PromoteStep", "PromotedPin"]

PromoteStep = Literal["campaign", "ad_group", "ad"]
Made = list[Campaign | AdGroup]
Items = list[tuple[EntityKind[Any], dict[str, Any]]]
"""What ``promote_pin`` made so far (``list`` is a method name inside the resource class)."""

AD = EntityKind("ad", "ads", "ad_id", Ad)


@dataclass(frozen=True)
class PromotedPin:
    """What ``promote_pin`` made: the campaign, its ad group (which holds the budget) and
    the ad; ``currency`` is the ad account's."""

    campaign: Campaign
    ad_group: AdGroup
    ad: Ad
    currency: str | None = None

    @property
    def budget(self) -> str | None:
        """The ad group's budget with its currency (``"USD 20.00"``)."""
        micros = self.ad_group.budget_in_micro_currency
        if micros is None or self.currency is None:
            return None
        return format_amount(micros, self.currency)


class PromoteError(PinterestError):
    """``promote_pin`` failed at ``step`` (``"campaign"``, ``"ad_group"`` or ``"ad"``)
    because of ``cause``. What it had made was archived: ``rolled_back`` holds the archived
    entities, ``left_behind`` those it could not archive (archive them by hand; nothing
    spends without an ad, and the ad is the last step)."""

    def __init__(
        self,
        step: PromoteStep,
        cause: PinterestError,
        rolled_back: Sequence[Campaign | AdGroup] = (),
        left_behind: Sequence[Campaign | AdGroup] = (),
    ) -> None:
        self.step: PromoteStep = step
        self.cause = cause
        self.rolled_back = list(rolled_back)
        self.left_behind = list(left_behind)
        super().__init__(self._describe())

    def _describe(self) -> str:
        cause = self.cause
        reason = cause.message if isinstance(cause, ItemError) else str(cause)
        text = f"promote_pin failed at the {self.step.replace('_', ' ')} step: {reason.rstrip('.')}"
        if self.rolled_back:
            text += f"; rolled back (archived): {_names(self.rolled_back)}"
        if self.left_behind:
            text += f"; could not archive {_names(self.left_behind)}: archive by hand"
        if not self.rolled_back and not self.left_behind:
            text += "; nothing was created"
        return text


def _names(entities: Sequence[Campaign | AdGroup]) -> str:
    return ", ".join(
        f"{'campaign' if isinstance(e, Campaign) else 'ad group'} {e.id}" for e in entities
    )


def _seconds(name: str, value: datetime | int | None) -> int | None:
    """A time as Unix seconds; a datetime without a zone is UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        return int(aware.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{name} must be a datetime or Unix seconds, got {value!r}")
    return value


def _choice(operation_id: str, path: str, value: str) -> str:
    from .._constraints import field

    allowed = field(operation_id, path).enum or ()
    if value not in allowed:
        name = path.rsplit(".", 1)[-1]
        shown = ", ".join(str(a) for a in allowed if a is not None)
        raise InvalidInputError(f"{name} must be one of {shown}, got {value!r}")
    return value


def _positive(name: str, amount: Amount, currency: str | None) -> int:
    micros = to_micros(amount, currency)
    if micros <= 0:
        raise InvalidInputError(f"{name} must be more than 0, got {amount!r}")
    return micros


@dataclass(frozen=True)
class _Plan:
    """A checked ``promote_pin`` call: the three items, with the amounts still in units."""

    account: str
    campaign: dict[str, Any]
    ad_group: dict[str, Any]
    ad: dict[str, Any]
    budget: Amount
    budget_name: str
    bid: Amount | None
    needs_floor: bool
    currency: str | None

    def floor_spec(self, currency: str) -> dict[str, Any]:
        return {
            "billable_event": self.ad_group["billable_event"],
            "currency": currency,
            "objective_type": self.campaign["objective_type"],
            "creative_type": self.ad["creative_type"],
        }


class AdsAPI(EntityResource[M, Ad]):
    """Ads: pins promoted in an ad group. ``promote_pin`` makes a campaign, an ad group and an
    ad in one call.

    Every method takes the ad account first: ``ad_account_id=None`` is the client's
    (``Client(ad_account_id=...)``, else ``PINTEREST_AD_ACCOUNT_ID``). Writes take
    ``dry_run=True``: every local check, nothing sent, a ``DryRun`` of the requests back.
    """

    KIND = AD

    @paginated
    def list(
        self,
        /,
        ad_account_id: str | None = None,
        *,
        include_archived: bool = False,
        page_size: int | None = None,
        max_items: int | None = None,
        **filters: Any,
    ) -> PageCall[Ad]:
        """Every ad of the ad account, page after page.

        ``filters`` are the spec's query parameters of ``ads/list``:
        ``campaign_ids``, ``ad_group_ids`` or ``ad_ids`` (one of them), ``entity_statuses``,
        ``order``.
        An unknown one raises ``InvalidInputError`` naming the allowed ones.

        Pinterest leaves ARCHIVED ads out unless ``entity_statuses`` asks for them (the
        default is ACTIVE and PAUSED): ``include_archived=True`` adds ARCHIVED to the statuses
        given, or to the default ones.
        """
        return self._list_call(ad_account_id, include_archived, page_size, max_items, filters)

    @endpoint
    def get(self, ad_account_id: str | None = None, ad_id: str | None = None) -> Call[Ad]:
        """One ad (``ad_id`` is required; name it when the ad account is left out:
        ``get(ad_id=...)``)."""
        return self._get_call(ad_account_id, ad_id)

    @workflow
    def create(
        self,
        ad_account_id: str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Ad] | DryRun]:
        """Create ads from ``items``, any number of them, sent 30 at a time.

        Items have Pinterest's ``AdCreateRequest`` fields (money fields in integer micros).

        Each item needs ``ad_group_id``, ``creative_type`` and ``pin_id``.

        Returns a ``BatchResult``: ``.results[i]`` is the ad made from ``items[i]`` or
        its ``ItemError`` (refused by Pinterest, or by a local check before sending). If a
        request after the first fails as a whole, the results so far are kept, its items are
        failed with the reason (they may or may not have been made) and the rest are not
        sent; a failure of the first request raises.
        """
        return self._write(ad_account_id, require("items", items), update=False, dry_run=dry_run)

    @workflow
    def update(
        self,
        ad_account_id: str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Ad] | DryRun]:
        """Change ads: each item has the ``id`` and the fields to change
        (``AdUpdateRequest``). Results as ``create``'s; an update is safe to send again, so
        failed items whose outcome is unknown can simply be retried."""
        return self._write(ad_account_id, require("items", items), update=True, dry_run=dry_run)

    @workflow
    def create_one(
        self,
        ad_account_id: str | None = None,
        item: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[Ad | DryRun]:
        """Create one ad; raises its ``ItemError`` if Pinterest refuses it."""
        return self._write_one(ad_account_id, require("item", item), update=False, dry_run=dry_run)

    @workflow
    def update_one(
        self,
        ad_account_id: str | None = None,
        item: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[Ad | DryRun]:
        """Change one ad (``item`` has its ``id``); raises its ``ItemError`` if Pinterest
        refuses the change."""
        return self._write_one(ad_account_id, require("item", item), update=True, dry_run=dry_run)

    @workflow
    def pause(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Ad] | DryRun]:
        """Set one ad or many to PAUSED."""
        return self._set_status(ad_account_id, require("ids", ids), "PAUSED", dry_run)

    @workflow
    def activate(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Ad] | DryRun]:
        """Set one ad or many to ACTIVE (they spend again)."""
        return self._set_status(ad_account_id, require("ids", ids), "ACTIVE", dry_run)

    @workflow
    def archive(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Ad] | DryRun]:
        """Set one ad or many to ARCHIVED: final, they cannot be activated again."""
        return self._set_status(ad_account_id, require("ids", ids), "ARCHIVED", dry_run)

    @workflow
    def promote_pin(
        self,
        ad_account_id: str | None = None,
        pin_id: str | None = None,
        *,
        daily_budget: Amount | None = None,
        lifetime_budget: Amount | None = None,
        bid: Amount | None = None,
        objective_type: str = "AWARENESS",
        start_time: datetime | int | None = None,
        end_time: datetime | int | None = None,
        status: str = "ACTIVE",
        name: str | None = None,
        billable_event: str | None = None,
        creative_type: str | None = None,
        destination_url: str | None = None,
        optimization_goal_metadata: Mapping[str, Any] | None = None,
        targeting_spec: Mapping[str, Any] | None = None,
        currency: str | None = None,
        dry_run: bool = False,
    ) -> Flow[PromotedPin | DryRun]:
        """Promote a pin: a campaign, an ad group with the budget, and an ad, in one call.

        Give one budget, in units of the ad account's currency (``Decimal``, ``int`` or
        ``str``, never a float): ``daily_budget`` (budget_type DAILY) or ``lifetime_budget``
        (LIFETIME, which needs ``end_time``). The ad account is read first and the amounts are
        converted exactly with its currency (``currency``, if given, must be it). ``bid`` is
        in the same units; where the objective needs a bid and none is given, the bid floor
        Pinterest gives for it (``ad_groups_bid_floor/get``) is used. The billable event and
        bid strategy default to ones valid for ``objective_type``; WEB_CONVERSION needs
        ``optimization_goal_metadata``. Times are datetimes (without a zone: UTC) or Unix
        seconds.

        Everything is checked before the first request. If the ad group or the ad fails,
        what was made is archived and ``PromoteError`` is raised with the ``step`` that
        failed, what was ``rolled_back`` and the cause. The ad is made last, so nothing can
        spend before every step has succeeded. A failure before the campaign (reading the
        account or the bid floor) raises its own error: nothing was made.

        ``dry_run=True`` sends nothing, not even the account read, and returns the planned
        requests; values only known later are written ``"{campaign.id}"``,
        ``"{ad_group.id}"``, ``"{ad_account.currency}"`` and ``"{bid_floor}"``. Without
        ``currency`` it can check amounts to the micro only, not to the currency's decimals.
        """
        plan = self._plan(
            self._account(ad_account_id),
            require("pin_id", pin_id),
            daily_budget=daily_budget,
            lifetime_budget=lifetime_budget,
            bid=bid,
            objective_type=objective_type,
            start_time=_seconds("start_time", start_time),
            end_time=_seconds("end_time", end_time),
            status=status,
            name=name,
            billable_event=billable_event,
            creative_type=creative_type,
            destination_url=destination_url,
            optimization_goal_metadata=optimization_goal_metadata,
            targeting_spec=targeting_spec,
            currency=currency,
        )
        if dry_run:
            return finished(self._dry_run(plan))
        return self._promote(plan)

    def _plan(
        self,
        account: str,
        pin_id: str,
        *,
        daily_budget: Amount | None,
        lifetime_budget: Amount | None,
        bid: Amount | None,
        objective_type: str,
        start_time: int | None,
        end_time: int | None,
        status: str,
        name: str | None,
        billable_event: str | None,
        creative_type: str | None,
        destination_url: str | None,
        optimization_goal_metadata: Mapping[str, Any] | None,
        targeting_spec: Mapping[str, Any] | None,
        currency: str | None,
    ) -> _Plan:
        objective = _choice("campaigns/create", "[].objective_type", objective_type)
        _choice("campaigns/create", "[].status", status)
        if (daily_budget is None) == (lifetime_budget is None):
            raise InvalidInputError("give one budget: daily_budget or lifetime_budget")
        if lifetime_budget is not None and end_time is None:
            raise InvalidInputError("a lifetime budget needs an end_time")
        budget_name = "daily_budget" if daily_budget is not None else "lifetime_budget"
        budget = daily_budget if daily_budget is not None else lifetime_budget
        assert budget is not None
        _positive(budget_name, budget, currency)
        if bid is not None:
            _positive("bid", bid, currency)
        event = billable_event or _adrules.BILLABLE_EVENTS[objective][0]
        _choice("ad_groups/create", "[].billable_event", event)
        problem = _adrules.billable_event_problem(objective, event)
        automatic = objective in _adrules.AUTOMATIC_BID_ONLY
        if problem is None and automatic and bid is not None:
            problem = f"{objective} ad groups bid automatically: leave bid out"
        goal_needed = objective in _adrules.OPTIMIZATION_GOAL_REQUIRED
        if problem is None and goal_needed and not optimization_goal_metadata:
            problem = f"a {objective} campaign needs optimization_goal_metadata"
        if problem is not None:
            raise InvalidInputError(problem)
        now = self._client.clock.now()
        if end_time is not None and end_time <= now:
            raise InvalidInputError("end_time must be in the future")
        creative = creative_type or ("VIDEO" if objective == "VIDEO_COMPLETION" else "REGULAR")
        _choice("ads/create", "[].creative_type", creative)
        title = name or f"Promoted pin {pin_id}"
        schedule = {"start_time": start_time, "end_time": end_time}
        campaign = {
            "ad_account_id": account,
            "name": title,
            "objective_type": objective,
            "status": status,
            **schedule,
        }
        group: dict[str, Any] = {
            "campaign_id": "{campaign.id}",
            "name": title,
            "billable_event": event,
            "budget_type": "DAILY" if daily_budget is not None else "LIFETIME",
            "bid_strategy_type": "AUTOMATIC_BID" if automatic else None,
            "optimization_goal_metadata": optimization_goal_metadata,
            "targeting_spec": targeting_spec,
            "status": status,
            **schedule,
        }
        ad = {
            "ad_group_id": "{ad_group.id}",
            "pin_id": pin_id,
            "creative_type": creative,
            "destination_url": destination_url,
            "name": title,
            "status": status,
        }
        items: Items = [
            (CAMPAIGN, {k: v for k, v in campaign.items() if v is not None}),
            (AD_GROUP, {k: v for k, v in group.items() if v is not None}),
            (AD, {k: v for k, v in ad.items() if v is not None}),
        ]
        # The amounts, and the IDs the earlier steps make, stand in as valid values.
        stand_ins: dict[str, dict[str, Any]] = {
            "campaigns": {},
            "ad_groups": {"campaign_id": "1", "budget_in_micro_currency": 1},
            "ads": {"ad_group_id": "1"},
        }
        for kind, item in items:
            probe = {**item, **stand_ins[kind.area]}
            problem = item_problem(kind, kind.op("create"), probe, False)
            if problem is not None:
                raise InvalidInputError(f"{kind.name}: {problem}")
        needs_floor = bid is None and not automatic and _adrules.bid_required(objective, event)
        return _Plan(
            account,
            items[0][1],
            items[1][1],
            items[2][1],
            budget,
            budget_name,
            bid,
            needs_floor,
            currency.upper() if currency else None,
        )

    def _dry_run(self, plan: _Plan) -> DryRun:
        account = plan.account
        currency = plan.currency or "{ad_account.currency}"
        requests = [planned(account_call(account))]
        group = {**plan.ad_group, "budget_in_micro_currency": to_micros(plan.budget, plan.currency)}
        if plan.bid is not None:
            group["bid_in_micro_currency"] = to_micros(plan.bid, plan.currency)
        elif plan.needs_floor:
            floor = bid_floors_call(account, [plan.floor_spec(plan.currency or "USD")], None)
            body = {"bid_floor_specs": [{**plan.floor_spec("USD"), "currency": currency}]}
            requests.append(PlannedRequest(floor.method, floor.path, None, body))
            group["bid_in_micro_currency"] = "{bid_floor}"
        for kind, item in ((CAMPAIGN, plan.campaign), (AD_GROUP, group), (AD, plan.ad)):
            requests.append(planned(bulk_call(kind, account, update=False)([item])))
        return DryRun(requests)

    def _promote(self, plan: _Plan) -> Flow[PromotedPin | DryRun]:
        account = plan.account
        found = yield from self._call(account_call(account))
        currency = found.currency.upper() if found.currency else None
        if plan.currency is not None and currency is not None and plan.currency != currency:
            raise InvalidInputError(
                f"ad account {account} is in {currency}, not {plan.currency}: nothing was made"
            )
        group = {**plan.ad_group, "budget_in_micro_currency": to_micros(plan.budget, currency)}
        if plan.bid is not None:
            group["bid_in_micro_currency"] = to_micros(plan.bid, currency)
        elif plan.needs_floor:
            spec = plan.floor_spec(currency or "USD")
            floors = yield from self._call(bid_floors_call(account, [spec], None))
            if floors:
                group["bid_in_micro_currency"] = floors[0]
        send = self._call
        try:
            campaign = yield from write_one_flow(
                send, CAMPAIGN, account, plan.campaign, update=False
            )
        except PinterestError as exc:
            raise PromoteError("campaign", exc) from exc
        made: Made = [campaign]
        try:
            group["campaign_id"] = campaign.id
            ad_group = yield from write_one_flow(send, AD_GROUP, account, group, update=False)
        except PinterestError as exc:
            yield from self._roll_back("ad_group", exc, account, made)
            raise AssertionError("unreachable") from None
        made.append(ad_group)
        try:
            item = {**plan.ad, "ad_group_id": ad_group.id}
            ad = yield from write_one_flow(send, AD, account, item, update=False)
        except PinterestError as exc:
            yield from self._roll_back("ad", exc, account, made)
            raise AssertionError("unreachable") from None
        return PromotedPin(campaign, ad_group, ad, currency)

    def _roll_back(
        self, step: PromoteStep, cause: PinterestError, account: str, made: Made
    ) -> Flow[None]:
        """Archive what was made, the newest first, then raise ``PromoteError``."""
        rolled_back: Made = []
        left_behind: Made = []
        entity: Campaign | AdGroup
        for entity in reversed(made):
            kind: EntityKind[Any] = CAMPAIGN if isinstance(entity, Campaign) else AD_GROUP
            item: dict[str, Any] = {"id": entity.id, "status": "ARCHIVED"}
            if kind.account_in_items:
                item["ad_account_id"] = account
            try:
                archived = yield from write_one_flow(self._call, kind, account, item, update=True)
            except PinterestError:
                left_behind.append(entity)
            else:
                rolled_back.append(archived)
        raise PromoteError(step, cause, rolled_back, left_behind) from cause
