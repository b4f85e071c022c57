"""/metrics answers only where the operator opened it: to a bearer token on the main port, or
on a listener of its own (and then not on the main port). Unconfigured, the main port has
no /metrics at all. /healthz stays open either way."""

import aiohttp
import pytest

from followup.app import create_app
from followup.settings import Settings
from tests.support.processes import listening_socket

TOKEN = "a-token-for-prometheus-only"


async def app_client(aiohttp_client, db_url: str, listener=None, **settings: object):
    app = create_app(
        Settings(_env_file=None, database_url=db_url, **settings),
        secret_key="test-secret",
        jobs=False,
        metrics_listener=listener,
    )
    return await aiohttp_client(app)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_unconfigured_the_main_port_has_no_metrics(db_url, aiohttp_client):
    client = await app_client(aiohttp_client, db_url)
    for headers in ({}, bearer(TOKEN)):
        answer = await client.get("/metrics", headers=headers)
        assert answer.status == 404
        assert "followup_" not in await answer.text()
    assert (await client.get("/healthz")).status == 200


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param(bearer("a-token-for-prometheus-onlY"), id="wrong-token"),
        pytest.param(bearer(TOKEN[:-1]), id="a-prefix-of-the-token"),
        pytest.param({"Authorization": f"Basic {TOKEN}"}, id="not-bearer"),
    ],
)
async def test_without_the_right_token_no_figures(db_url, aiohttp_client, headers):
    client = await app_client(aiohttp_client, db_url, metrics_token=TOKEN)
    answer = await client.get("/metrics", headers=headers)
    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "followup_" not in await answer.text()


async def test_with_the_right_token_the_figures(db_url, aiohttp_client):
    client = await app_client(aiohttp_client, db_url, metrics_token=TOKEN)
    answer = await client.get("/metrics", headers=bearer(TOKEN))
    assert answer.status == 200
    assert "followup_database_up 1.0" in await answer.text()


async def test_on_a_port_of_its_own_and_not_on_the_main_port(db_url, aiohttp_client):
    listener = listening_socket()
    own = f"http://127.0.0.1:{listener.getsockname()[1]}/metrics"
    client = await app_client(aiohttp_client, db_url, listener)
    assert (await client.get("/healthz")).status == 200  # counted, and shown on the other port
    assert (await client.get("/metrics")).status == 404
    async with aiohttp.ClientSession() as http, http.get(own) as answer:
        assert answer.status == 200
        figures = await answer.text()
    assert "followup_database_up 1.0" in figures
    assert 'route="/healthz",status="200"' in figures
    assert 'route="/metrics"' not in figures  # the main port never served it


async def test_a_port_of_its_own_with_a_token_asks_for_it_there(db_url, aiohttp_client):
    listener = listening_socket()
    own = f"http://127.0.0.1:{listener.getsockname()[1]}/metrics"
    client = await app_client(aiohttp_client, db_url, listener, metrics_token=TOKEN)
    assert (await client.get("/metrics", headers=bearer(TOKEN))).status == 404
    async with aiohttp.ClientSession() as http:
        async with http.get(own) as answer:
            assert answer.status == 401
        async with http.get(own, headers=bearer(TOKEN)) as answer:
            assert answer.status == 200
