"""Every answer carries a request id, and in the JSON log format every line logged while
handling a request carries the same id. A proxy's id is kept; anything else a client puts
in the header is replaced."""

import asyncio
import logging
import re

import pytest
from aiohttp import web

from followup.app import create_app
from followup.settings import Settings
from followup.web.access import public

FRESH = re.compile(r"[0-9a-f]{32}")
log = logging.getLogger("followup.test_request_ids")


def app_with_request_ids(folder) -> web.Application:
    """The app, with a few pages of the kinds the tests need; no database is read."""
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{folder / 'f.db'}")
    app = create_app(settings, secret_key="k", jobs=False)

    @public("a test page")
    async def logging_page(request: web.Request) -> web.Response:
        log.info("handling a page")
        return web.Response(text="ok")

    @public("a test page")
    async def page_leaving_work_behind(request: web.Request) -> web.Response:
        # As a request that wakes the scheduler: its timers copy the request's context.
        asyncio.get_running_loop().call_later(0.05, log.info, "long after the answer")
        return web.Response(text="ok")

    @public("a test page")
    async def forbidden_page(request: web.Request) -> web.Response:
        raise web.HTTPForbidden()

    @public("a test page")
    async def stream_page(request: web.Request) -> web.StreamResponse:
        stream = web.StreamResponse()
        await stream.prepare(request)  # the headers leave before the handler returns
        await stream.write(b"data: ok\n\n")
        return stream

    pages = {
        "/page": logging_page,
        "/forbidden": forbidden_page,
        "/leave-work": page_leaving_work_behind,
        "/stream": stream_page,
    }
    app.router.add_routes(web.get(path, page) for path, page in pages.items())
    return app


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    return await aiohttp_client(app_with_request_ids(tmp_path))


async def test_every_answer_has_a_fresh_request_id(client):
    first = await client.get("/page")
    second = await client.get("/page")
    ids = [first.headers["X-Request-Id"], second.headers["X-Request-Id"]]
    assert all(FRESH.fullmatch(i) for i in ids)
    assert ids[0] != ids[1]


@pytest.mark.parametrize("path", ["/forbidden", "/stream", "/no-such-page"])
async def test_errors_and_streams_have_a_request_id_too(client, path):
    answer = await client.get(path)
    assert FRESH.fullmatch(answer.headers["X-Request-Id"])


@pytest.mark.parametrize(
    "incoming", ["5f0c6a9e-2b1d-4c4e-9f3a-7d2e8b6c1a40", "nginx.7f3a9c_01", "A" * 64]
)
async def test_a_proxys_request_id_is_kept(client, incoming):
    answer = await client.get("/page", headers={"X-Request-Id": incoming})
    assert answer.headers["X-Request-Id"] == incoming


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("A" * 65, id="too-long"),
        pytest.param("abc", id="too-short"),
        pytest.param('x", "level": "CRITICAL', id="json-field"),
        pytest.param("id with spaces", id="spaces"),
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param("../../../etc/passwd", id="path"),
        pytest.param("ïdéntïtéït", id="non-ascii"),
        pytest.param("+31612345678", id="phone-number"),
        pytest.param("0612345678", id="phone-number-digits"),
        pytest.param("06-12345678", id="phone-number-dashes"),
    ],
)
async def test_a_hostile_request_id_is_replaced(client, hostile):
    answer = await client.get("/page", headers={"X-Request-Id": hostile})
    assert FRESH.fullmatch(answer.headers["X-Request-Id"])


async def test_json_log_lines_carry_the_id_of_their_request(client, json_logs):
    log.info("before any request")
    answer = await client.get("/page")
    outside, inside = (line for line in json_logs() if line["logger"] == log.name)
    assert inside["request_id"] == answer.headers["X-Request-Id"]
    assert inside["message"] == "handling a page"
    assert inside["level"] == "INFO"
    assert inside["time"].endswith("+00:00")
    assert "request_id" not in outside


async def test_text_log_lines_carry_the_id_of_their_request_too(client, text_logs):
    log.info("before any request")
    answer = await client.get("/page")
    outside, inside = (line for line in text_logs() if log.name in line)
    assert f"{log.name} [request {answer.headers['X-Request-Id']}] handling a page" in inside
    assert outside.endswith(f"INFO {log.name} before any request")


async def test_work_that_outlives_its_request_does_not_carry_its_id(client, json_logs):
    await client.get("/leave-work")
    await asyncio.sleep(0.2)
    (later,) = (line for line in json_logs() if line["logger"] == log.name)
    assert later["message"] == "long after the answer"
    assert "request_id" not in later
