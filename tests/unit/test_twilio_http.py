"""The library's client talks to the configured API base and logs no phone numbers."""

import logging
from urllib.parse import urlencode

from dialer.twilio_http import CarrierHttpClient, _loggable, encode_form


async def test_both_twilio_hosts_are_rebased():
    client = CarrierHttpClient("http://127.0.0.1:8090/", timeout=5)
    try:
        assert client.rebase("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json") == (
            "http://127.0.0.1:8090/2010-04-01/Accounts/AC1/Messages.json"
        )
        assert client.rebase("https://lookups.twilio.com/v2/PhoneNumbers/+31612345678") == (
            "http://127.0.0.1:8090/v2/PhoneNumbers/+31612345678"
        )
        assert client.rebase("https://example.org/x") == "https://example.org/x"
    finally:
        await client.close()


async def test_the_real_twilio_base_changes_nothing():
    client = CarrierHttpClient("https://api.twilio.com", timeout=5)
    try:
        url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json"
        assert client.rebase(url) == url
    finally:
        await client.close()


def test_logged_urls_show_no_numbers():
    assert (
        _loggable("https://x/v2/PhoneNumbers/+31612345678?Fields=a")
        == "https://x/v2/PhoneNumbers/…"
    )
    assert _loggable("https://x/Messages.json?To=%2B31612345678") == "https://x/Messages.json"


async def test_request_log_lines_carry_no_query(caplog):
    client = CarrierHttpClient("http://127.0.0.1:9", timeout=5)
    try:
        with caplog.at_level(logging.DEBUG, logger="dialer.twilio_http"):
            client.log_request(
                {"method": "GET", "url": "http://127.0.0.1:9/Messages.json?To=%2B31612345678"}
            )
        assert "31612345678" not in caplog.text
        assert "GET" in caplog.text
    finally:
        await client.close()


def test_forms_are_encoded_like_urlencode_does():
    data = {
        "To": "+31612345678",
        "Body": "Hallo, één & twee?\nStuur 1 = actief",
        "StatusCallbackEvent": ["initiated", "ringing"],
        "Timeout": 25,
    }
    assert encode_form(data) == urlencode(data, doseq=True).encode()
