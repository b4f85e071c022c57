"""The signature check in front of every carrier webhook: form bodies through the real
status route, JSON bodies (signed with `bodySHA256` in the URL, as Twilio signs them) through
a one-route app around the real `signed_json`. Requests are signed with the `twilio`
library's own code; too large or malformed bodies get a short 400, unsigned ones 403."""

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from aiohttp import web
from twilio.request_validator import RequestValidator

from followup.app_keys import SETTINGS
from followup.settings import SIM_AUTH_TOKEN, Settings
from followup.store.tables import CarrierEvent
from tests.support.webhooks import Clock, signature, webhook_app
from webhooks.signature import MAX_BODY_BYTES, signed_json

PUBLIC = "https://nabellen.gemeente.example"
SMS_STATUS = "/webhooks/twilio/sms-status"
JSON_PATH = "/webhooks/twilio/json-test"
SID = "SM" + "d" * 32
RECEIVED = web.AppKey("received", list)


def json_url(body: str, path: str = JSON_PATH) -> str:
    """The path and query Twilio calls for a JSON body: the body's hash in the query."""
    return f"{path}?bodySHA256={RequestValidator(SIM_AUTH_TOKEN).compute_hash(body)}"


def json_signature(path_qs: str, token: str = SIM_AUTH_TOKEN) -> str:
    # A JSON body is signed through its hash in the URL: no parameters of its own.
    return RequestValidator(token).compute_signature(PUBLIC + path_qs, {})


async def received(request: web.Request) -> web.Response:
    request.app[RECEIVED].append(await signed_json(request))
    return web.Response(status=204)


@pytest.fixture
async def json_client(aiohttp_client):
    app = web.Application()
    app[SETTINGS] = Settings(_env_file=None, public_url=PUBLIC)
    app[RECEIVED] = []
    app.router.add_post(JSON_PATH, received)
    return await aiohttp_client(app)


async def post_json(client, path_qs: str, body: str | bytes, sign_as: str | None = None):
    return await client.post(
        path_qs,
        data=body.encode() if isinstance(body, str) else body,
        headers={
            "Content-Type": "application/json",
            "X-Twilio-Signature": json_signature(sign_as or path_qs),
        },
    )


async def test_a_signed_json_body_is_accepted(json_client):
    body = '{"MessageSid": "SM1", "MessageStatus": "delivered", "Tekst": "één"}'
    response = await post_json(json_client, json_url(body), body)
    assert response.status == 204
    assert json_client.app[RECEIVED] == [
        {"MessageSid": "SM1", "MessageStatus": "delivered", "Tekst": "één"}
    ]


async def test_a_json_body_changed_after_signing_is_refused(json_client):
    body = '{"MessageStatus": "sent"}'
    tampered = '{"MessageStatus": "delivered"}'
    response = await post_json(json_client, json_url(body), tampered)
    assert response.status == 403
    assert json_client.app[RECEIVED] == []


async def test_a_json_body_hash_that_the_signature_does_not_cover_is_refused(json_client):
    """Body and hash swapped together: the hash matches, but the URL was signed otherwise."""
    body, other = '{"MessageStatus": "sent"}', '{"MessageStatus": "delivered"}'
    response = await post_json(json_client, json_url(other), other, sign_as=json_url(body))
    assert response.status == 403
    assert json_client.app[RECEIVED] == []


SENT = '{"MessageStatus": "sent"}'


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        {"X-Twilio-Signature": json_signature(json_url(SENT), token="wrong")},
    ],
    ids=["missing", "forged", "other-token"],
)
async def test_a_json_body_without_a_valid_signature_is_refused(json_client, headers):
    response = await json_client.post(
        json_url(SENT), data=SENT, headers={"Content-Type": "application/json", **headers}
    )
    assert response.status == 403
    assert json_client.app[RECEIVED] == []


@pytest.mark.parametrize("query", ["", "?bodySHA256=", "?attempt=1"])
async def test_a_json_body_without_its_hash_in_the_url_is_refused(json_client, query):
    """Signed URL, but nothing in it covers the body."""
    response = await post_json(json_client, JSON_PATH + query, SENT)
    assert response.status == 403
    assert json_client.app[RECEIVED] == []


@pytest.mark.parametrize(
    "body",
    [b'{"MessageStatus": ', b'["a list"]', b"", b'{"a": "\xff"}', b'{"a":' * 5000 + b"}" * 5000],
    ids=["truncated", "not-an-object", "empty", "not-utf8", "deeply-nested"],
)
async def test_a_malformed_json_body_gets_400_without_a_traceback(json_client, body):
    """Signed correctly, so it is the body itself that is refused."""
    path_qs = f"{JSON_PATH}?bodySHA256={hashlib.sha256(body).hexdigest()}"
    response = await post_json(json_client, path_qs, body)
    assert response.status == 400
    text = await response.text()
    assert "Traceback" not in text and len(text) < 100
    assert json_client.app[RECEIVED] == []


async def test_a_form_where_json_is_expected_gets_400(json_client):
    response = await json_client.post(JSON_PATH, data={"MessageStatus": "sent"})
    assert response.status == 400
    assert json_client.app[RECEIVED] == []


async def test_an_oversized_json_body_gets_400(json_client):
    body = '{"x": "' + "a" * MAX_BODY_BYTES + '"}'
    response = await post_json(json_client, json_url(body), body)
    assert response.status == 400
    assert "larger than" in await response.text()
    assert json_client.app[RECEIVED] == []


# Form bodies, through the real status route and database.


@pytest.fixture
async def client(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    clock = Clock(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Amsterdam")))
    return await aiohttp_client(webhook_app(settings, sessions, clock))


async def stored(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(sa.select(sa.func.count()).select_from(CarrierEvent))


def status_form(padding: int = 0) -> dict[str, str]:
    form = {"MessageSid": SID, "MessageStatus": "delivered"}
    return form | {"Padding": "p" * padding} if padding else form


async def post_form(client, params: dict[str, str] | bytes, signed_params: dict[str, str]):
    return await client.post(
        SMS_STATUS,
        data=params,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(SIM_AUTH_TOKEN, PUBLIC + SMS_STATUS, signed_params),
        },
    )


async def test_a_form_just_under_the_limit_is_read(client, sessions):
    form = status_form(padding=MAX_BODY_BYTES - 200)
    response = await post_form(client, form, form)
    assert response.status == 200
    assert await stored(sessions) == 1


async def test_an_oversized_form_gets_400_and_stores_nothing(client, sessions):
    form = status_form(padding=MAX_BODY_BYTES)
    response = await post_form(client, form, form)
    assert response.status == 400
    text = await response.text()
    assert "Traceback" not in text and "larger than" in text
    assert await stored(sessions) == 0


async def test_an_oversized_chunked_form_gets_400_and_stores_nothing(client, sessions):
    """No length announced: the body is refused while it is read."""

    async def chunks():
        yield b"MessageSid=" + SID.encode() + b"&MessageStatus=delivered&Padding="
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"p" * 1024

    response = await post_form(client, chunks(), status_form())
    assert response.status == 400
    assert "larger than" in await response.text()
    assert await stored(sessions) == 0


@pytest.mark.parametrize(
    "body", [b"MessageSid=%ff&MessageStatus=sent", b"MessageSid=\xff"], ids=["escape", "bytes"]
)
async def test_a_form_that_is_not_utf8_gets_400(client, sessions, body):
    response = await post_form(client, body, status_form())
    assert response.status == 400
    assert "Traceback" not in await response.text()
    assert await stored(sessions) == 0


async def test_an_error_code_out_of_range_gets_400(client, sessions):
    """Stored in an integer column: a larger number would fail in the database instead."""
    form = status_form() | {"ErrorCode": str(2**31)}
    response = await post_form(client, form, form)
    assert response.status == 400
    assert "Traceback" not in await response.text()
    assert await stored(sessions) == 0


async def test_a_signature_that_is_not_ascii_is_refused(client, sessions):
    response = await client.post(
        SMS_STATUS, data=status_form(), headers={"X-Twilio-Signature": "ondertekend-é"}
    )
    assert response.status == 403
    assert await stored(sessions) == 0


async def test_a_form_changed_after_signing_is_refused_and_stores_nothing(client, sessions):
    response = await post_form(client, status_form(), {**status_form(), "MessageStatus": "sent"})
    assert response.status == 403
    assert await stored(sessions) == 0
