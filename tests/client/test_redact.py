from __future__ import annotations

import logging

import pytest

from pinkit._redact import mask, redact_form, redact_headers, redact_text, redact_url

ACCESS = "pina_AbCdEf0123456789xyz"
REFRESH = "pinr_ZyXwVu9876543210abc"


def test_text_patterns() -> None:
    text = (
        f"Authorization: Bearer {ACCESS} basic Zm9vOmJhcg== refresh_token={REFRESH}"
        f' {{"client_secret": "s3cr3t-value"}} ?code=abc123&x=1'
    )
    cleaned = redact_text(text)
    for secret in (ACCESS, REFRESH, "Zm9vOmJhcg==", "s3cr3t-value", "abc123"):
        assert secret not in cleaned
    assert "x=1" in cleaned


def test_error_codes_are_not_redacted() -> None:
    assert (
        redact_text('{"code": 8, "message": "slow down"}') == '{"code": 8, "message": "slow down"}'
    )


def test_structured() -> None:
    assert ACCESS not in redact_url(f"https://x/v5/oauth/token?access_token={ACCESS}&a=b")
    assert "a=b" in redact_url("https://x/?a=b&code=zzz")
    assert "zzz" not in redact_url("https://x/?a=b&code=zzz")
    assert REFRESH not in redact_form(f"grant_type=refresh_token&refresh_token={REFRESH}")
    headers = redact_headers({"Authorization": f"Bearer {ACCESS}", "Accept": "json"})
    assert headers == {"Authorization": "[REDACTED]", "Accept": "json"}


def test_mask() -> None:
    assert ACCESS not in mask(ACCESS)
    assert mask(ACCESS).startswith("pina_")
    assert mask(None) == "None"


def test_logger_filter_masks_what_slips_through(caplog: pytest.LogCaptureFixture) -> None:
    import pinkit  # noqa: F401  (installs the filter)

    with caplog.at_level(logging.DEBUG, logger="pinkit"):
        logging.getLogger("pinkit").warning("oops %s", ACCESS)
    assert ACCESS not in caplog.text
