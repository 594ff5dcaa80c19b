"""The Conversions API: ``events/create`` one request at a time (``send``) or streamed in
batches (``send_bulk``), conversion access tokens, and the Event Quality Score."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from .._capi import MAX_EVENT_AGE_S, TEST_BATCH_PROCESSED
from .._flow import Flow
from .._resource import Call, M, workflow
from ..conversions._event import ConversionEvent, EventPreparer, InvalidMode, max_batch
from ..conversions._normalize import HashMode
from ..conversions._results import (
    BulkSummary,
    ConversionToken,
    EventQualityScore,
    SendResult,
    answers_of_422,
    event_results,
    explain_conversion_token,
)
from ..conversions._sender import BulkSender, Post, SenderConfig, SendLimiter, encode_batch
from ..conversions._sinks import Checkpoint, RejectSink, open_rejects
from ..errors import (
    APIResponseValidationError,
    APIStatusError,
    InvalidInputError,
    UnprocessableEntityError,
)
from ._ads import AdAccountResource

__all__ = ["ConversionsAPI"]

Event = ConversionEvent | Mapping[str, Any]


class ConversionsAPI(AdAccountResource[M]):
    """Conversion events for an ad account: checked, normalised and hashed locally, then sent.

    Each method takes the ad account first; None means the client's (``Client(ad_account_id=
    ...)``, else ``PINTEREST_AD_ACCOUNT_ID``). A conversion access token (``create_token``, or
    one made in Ads Manager) is enough to send events; the Event Quality Score needs an OAuth
    token with ``ads:read``.
    """

    def _account(self, ad_account_id: Any) -> str:
        if ad_account_id is not None and not isinstance(ad_account_id, str):  # events first?
            raise InvalidInputError(
                "the ad account comes first: send(ad_account_id, events), or send(None, "
                "events) for the client's"
            )
        return super()._account(ad_account_id)

    def _post(self, ad_account_id: str) -> Post:
        path = f"/ad_accounts/{ad_account_id}/events"

        def post(body: bytes, test: bool, repeatable: bool) -> Flow[Mapping[str, Any]]:
            call: Call[Mapping[str, Any]] = Call(
                "POST",
                path,
                params={"test": True} if test else None,
                content=body,
                repeatable=repeatable,
            )
            try:
                answer = yield from self._call(call)
            except UnprocessableEntityError as exc:  # code 953: none processed, same details
                converted = answers_of_422(exc)
                if converted is None:
                    raise
                return converted
            if not isinstance(answer, Mapping) or not isinstance(answer.get("events"), list):
                raise APIResponseValidationError(
                    "unexpected answer from events/create: no per-event statuses",
                    status_code=200,
                )
            return answer

        return post

    @workflow
    def send(
        self,
        ad_account_id: str | None = None,
        events: Iterable[Event] = (),
        *,
        test: bool = False,
        hash: HashMode = "auto",
        allow_unknown_event_name: bool = False,
        max_event_age_s: float = MAX_EVENT_AGE_S,
    ) -> Flow[SendResult]:
        """Send up to 1,000 events in one request; a ``SendResult`` with one ``EventResult``
        per event, in input order.

        Every event is checked first (fields, names, time, identity, money) and its
        ``user_data`` normalised and hashed (``hash``: see ``hash_user_data``): a bad event
        raises ``InvalidInputError`` naming its index, and nothing is sent. With ``test=True``
        Pinterest checks the events without recording them (at most 20: it processes only the
        first 20 of a test request).
        """
        account = self._account(ad_account_id)
        preparer = EventPreparer(
            hash=hash,
            allow_unknown_event_name=allow_unknown_event_name,
            max_event_age_s=max_event_age_s,
        )
        now = self._client.clock.now()
        prepared = []
        offline = False
        for index, event in enumerate(events):
            try:
                ready = preparer.prepare(event, now)
            except InvalidInputError as exc:
                raise InvalidInputError(f"events[{index}]: {exc}") from None
            prepared.append(ready.event)
            offline = offline or ready.offline
        limit = TEST_BATCH_PROCESSED if test else max_batch()
        if not prepared:
            raise InvalidInputError("send needs at least one event")
        if len(prepared) > limit:
            raise InvalidInputError(
                f"{len(prepared)} events: one request takes at most {limit}"
                + (" in test mode (only the first 20 are processed)" if test else "")
                + "; send_bulk splits any number into batches"
            )
        # offline events are never deduplicated: after a 5xx they are not sent again
        answer = yield from self._post(account)(encode_batch(prepared), test, not offline)
        ids = [event["event_id"] for event in prepared]
        return SendResult(
            num_received=int(answer.get("num_events_received", len(prepared))),
            num_processed=int(answer.get("num_events_processed", 0)),
            events=event_results(answer, ids, range(len(prepared))),
            test=test,
        )

    @workflow
    def send_bulk(
        self,
        ad_account_id: str | None = None,
        events: Iterable[Event] = (),
        *,
        test: bool = False,
        concurrency: int | None = None,
        rejects: str | os.PathLike[str] | RejectSink | list[dict[str, Any]] | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        hash: HashMode = "auto",
        on_invalid_field: InvalidMode = "reject",
        allow_unknown_event_name: bool = False,
        batch_size: int | None = None,
        max_retries: int = 5,
        config: SenderConfig | None = None,
        limiter: SendLimiter | None = None,
    ) -> Flow[BulkSummary]:
        """Stream any number of events to Pinterest in batches; a ``BulkSummary``.

        Events are read lazily (memory stays flat for millions), checked and hashed, and sent
        in batches of up to 1,000 (20 in test mode, paced at 10 requests a second), at most
        ``concurrency`` requests at once (4 by default) within the ad account's rate limit.
        Failed batches are sent again with the same event ids (Pinterest deduplicates them),
        except offline events after an answer that may come from a processed batch: Pinterest
        never deduplicates those, so they go to the rejects as ``undeliverable``.

        Every event that does not arrive goes to ``rejects`` with its kind (``invalid``,
        ``refused``, ``undeliverable``) and reason: a path is a JSONL file of
        ``{"index", "kind", "reason", "event"}`` lines; None keeps them in
        ``summary.rejects``. ``checkpoint`` (a path; needs ``rejects`` to be a path) lets a
        stopped run resume with the same input and arguments, losing nothing and sending
        nothing twice under a new id.

        ``config`` (a ``SenderConfig``) replaces the per-option arguments, and ``limiter``
        is asked before every request (a limiter shared by several workers).
        """
        if config is None:
            config = SenderConfig(
                ad_account_id=self._account(ad_account_id),
                test=test,
                batch_size=batch_size,
                concurrency=4 if concurrency is None else concurrency,
                max_retries=max_retries,
                hash=hash,
                on_invalid_field=on_invalid_field,
                allow_unknown_event_name=allow_unknown_event_name,
            )
        elif ad_account_id is not None and ad_account_id != config.ad_account_id:
            raise InvalidInputError("ad_account_id differs from config.ad_account_id")
        sender = BulkSender(
            config,
            self._post(config.ad_account_id),
            now=self._client.clock.now,
            limiter=limiter,
            rejects=open_rejects(rejects),
            checkpoint=None if checkpoint is None else Checkpoint(checkpoint),
        )
        summary: BulkSummary = yield from sender.run(events)
        return summary

    @workflow
    def create_token(self) -> Flow[ConversionToken]:
        """A new conversion access token (``oauth/conversion_token``; needs an OAuth token
        with ``ads:write``): long-lived, and good for sending conversion events only."""
        try:
            body: dict[str, Any] = yield from self._call(Call("POST", "/oauth/conversion_token"))
        except APIStatusError as exc:
            raise explain_conversion_token(exc, "oauth/conversion_token", "ads:write") from None
        return ConversionToken(
            access_token=str(body["access_token"]),
            token_type=str(body.get("token_type") or "conversion"),
        )

    @workflow
    def quality(
        self,
        ad_account_id: str | None = None,
        lookback_period: str = "14d",
        *,
        source_platform: str | None = None,
        ingestion_source: str | None = None,
    ) -> Flow[list[EventQualityScore]]:
        """The Event Quality Score (``conversion_eqs/list``): one ``EventQualityScore`` per
        source platform and ingestion source, over the last day (``"1d"``) or 14 days
        (``"14d"``). Needs an OAuth token with ``ads:read``: a conversion access token is
        refused, with an error that says so."""
        from .._constraints import check_params

        account = self._account(ad_account_id)
        query = {
            "lookback_period": [lookback_period],
            **({"source_platform": [source_platform]} if source_platform else {}),
            **({"ingestion_source": [ingestion_source]} if ingestion_source else {}),
        }
        problems = check_params("conversion_eqs/list", {"ad_account_id": account}, query)
        if problems:
            raise InvalidInputError(str(problems[0]))
        call = Call(
            "GET",
            f"/ad_accounts/{account}/conversion_eqs",
            params={
                "lookback_period": lookback_period,
                "source_platform": source_platform,
                "ingestion_source": ingestion_source,
            },
            parse=lambda body: [EventQualityScore.model_validate(item) for item in body or []],
        )
        try:
            scores = yield from self._call(call)
        except APIStatusError as exc:
            raise explain_conversion_token(exc, "conversion_eqs/list", "ads:read") from None
        return scores
