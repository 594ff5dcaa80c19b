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


def test_secret_shows_only_its_mask() -> None:
    import pinkit

    secret = pinkit.Secret(ACCESS)
    shown = [repr(secret), str(secret), f"{secret}", f"{secret:>80}", f"{secret!r}"]
    for text in [*shown, "{:^90}".format(secret), "%s" % (secret,)]:  # noqa: UP031, UP032
        assert ACCESS not in text
    assert str(secret) == mask(ACCESS)
    assert repr(secret) == f"Secret({mask(ACCESS)!r})"
    assert secret.get_secret_value() == ACCESS
    assert secret == pinkit.Secret(ACCESS)
    assert secret != ACCESS  # a Secret equals Secrets only, never the clear string
    assert secret != pinkit.Secret(REFRESH)
    assert len({secret, pinkit.Secret(ACCESS)}) == 1
    assert pinkit.Secret(secret) == secret
    assert not pinkit.Secret("")
    assert pinkit.Secret.of(None) is None
    with pytest.raises(TypeError):
        pinkit.Secret(123)  # type: ignore[arg-type]
    assert not hasattr(secret, "__dict__")


def test_public_attributes_keep_their_types() -> None:
    import pinkit

    token = pinkit.TokenSet(ACCESS, REFRESH)
    assert isinstance(token.access_token, str)
    assert isinstance(token.refresh_token, str)
    app = pinkit.OAuthApp("1", pinkit.Secret("s3cr3t-value"), "http://127.0.0.1/cb")
    assert "s3cr3t-value" not in repr(app)
    with pinkit.Client(pinkit.Secret(ACCESS)) as client:
        assert client.token is not None
        assert client.token.access_token == ACCESS


def test_json_bodies_and_headers() -> None:
    from pinkit._redact import mask_headers, redact_json

    body = {"code": 8, "message": f"token {ACCESS}", "items": [{"refresh_token": REFRESH}]}
    cleaned = redact_json(body)
    assert cleaned["code"] == 8
    assert ACCESS not in str(cleaned)
    assert REFRESH not in str(cleaned)
    headers = mask_headers({"Authorization": f"Bearer {ACCESS}", "Cookie": "a=b", "X": "y"})
    assert headers == {"Authorization": f"Bearer {mask(ACCESS)}", "Cookie": "[REDACTED]", "X": "y"}
