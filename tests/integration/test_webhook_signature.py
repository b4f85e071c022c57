"""The signature check in front of every carrier webhook, through the real status route:
requests signed with the `twilio` library's own code, or by hand as Twilio's documentation
says; too large or malformed bodies get a short 400, unsigned ones 403."""

import asyncio
import base64
import hashlib
import hmac
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.settings import SIM_AUTH_TOKEN, Settings
from followup.store.tables import CarrierEvent
from tests.support.webhooks import Clock, app_for, signature
from webhooks.signature import MAX_BODY_BYTES

PUBLIC = "https://nabellen.gemeente.example"
SMS_STATUS = "/webhooks/twilio/sms-status"
SID = "SM" + "d" * 32


# Form bodies, through the real status route and database.


@pytest.fixture
async def client(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    clock = Clock(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Amsterdam")))
    return await aiohttp_client(app_for(settings, sessions, clock))


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


@pytest.mark.parametrize("given", ["ondertekend-é".encode(), b"abc\xff\xfe"], ids=["utf8", "bytes"])
async def test_a_signature_that_is_not_ascii_is_refused(client, sessions, given):
    """Not UTF-8 either: aiohttp keeps such bytes as stand-ins, which must not fail later."""
    body = urlencode(status_form()).encode()
    head = (
        f"POST {SMS_STATUS} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(head + b"X-Twilio-Signature: " + given + b"\r\n\r\n" + body)
    status_line = await reader.readline()
    writer.close()
    assert status_line.split()[1] == b"403"
    assert await stored(sessions) == 0


async def test_a_form_changed_after_signing_is_refused_and_stores_nothing(client, sessions):
    response = await post_form(client, status_form(), {**status_form(), "MessageStatus": "sent"})
    assert response.status == 403
    assert await stored(sessions) == 0


def signed_as_twilio_does(url: str, pairs: list[tuple[str, str]]) -> str:
    """By the book: the URL, then every parameter's name and value sorted, no separators."""
    text = url + "".join(name + value for name, value in sorted(pairs))
    return base64.b64encode(
        hmac.new(SIM_AUTH_TOKEN.encode(), text.encode(), hashlib.sha1).digest()
    ).decode()


async def post_pairs(client, pairs: list[tuple[str, str]], signed: str):
    return await client.post(
        SMS_STATUS,
        data=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signed},
    )


async def test_a_parameter_sent_twice_counts_twice(client, sessions):
    """The library's validator counts a repeated parameter once, so its signature of the
    form without the repeat would pass; Twilio's own signature covers both."""
    once = list(status_form().items())
    twice = [*once, ("MessageStatus", "delivered")]
    library = signature(SIM_AUTH_TOKEN, PUBLIC + SMS_STATUS, dict(once))
    assert (await post_pairs(client, twice, library)).status == 403
    assert await stored(sessions) == 0
    exact = signed_as_twilio_does(PUBLIC + SMS_STATUS, twice)
    assert (await post_pairs(client, twice, exact)).status == 200
    assert await stored(sessions) == 1


async def test_a_url_signed_with_its_default_port_is_accepted(client, sessions):
    pairs = list(status_form().items())
    with_port = "https://nabellen.gemeente.example:443" + SMS_STATUS
    assert (await post_pairs(client, pairs, signed_as_twilio_does(with_port, pairs))).status == 200
    assert await stored(sessions) == 1
