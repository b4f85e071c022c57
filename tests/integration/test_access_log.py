"""One access line for every request, on SQLite and PostgreSQL: the route pattern, never the
path as requested; the status it was answered with; the time taken; the request's id; the
signed-in user's id and role, never their e-mail address. In both log formats."""

import json
import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from followup.rules.domain import Role
from followup.services.users import add_user
from followup.settings import Settings
from followup.web.access import public
from tests.support.rows import NOW
from tests.support.staff import sign_in
from tests.support.webhooks import Clock, app_for

AGENT = "agent.jansen@gemeente.example"
PASSWORD = "een lang wachtwoord"
NUMBER = "0612345678"


@pytest.fixture
async def web_client(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url)
    app = app_for(settings, sessions, Clock(NOW))

    @public("a test page")
    async def client_page(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/clients/{ref}", client_page)
    # As `serve` runs it: without aiohttp's access log, whose lines hold the raw path.
    server = TestServer(app)
    await server.start_server(access_log=None)
    return await aiohttp_client(server)


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "followup.access"]


async def test_a_request_is_one_json_line_with_its_pattern_status_and_id(web_client, json_logs):
    answer = await web_client.get(f"/clients/{NUMBER}?terug=/inwoners/{NUMBER}")
    (line,) = access_lines(json_logs())
    assert line["request_id"] == answer.headers["X-Request-Id"]
    assert (line["method"], line["route"], line["status"]) == ("GET", "/clients/{ref}", 200)
    assert isinstance(line["duration_ms"], int) and line["duration_ms"] >= 0
    assert line["message"] == f"GET /clients/{{ref}} 200 {line['duration_ms']} ms"
    assert line["level"] == "INFO"
    assert "user_id" not in line and "role" not in line
    assert NUMBER not in json.dumps(json_logs())


async def test_a_resident_link_and_an_unknown_path_show_no_token(web_client, json_logs):
    token = "eyJmb2xsb3dfdXAiOjF9.c2lnbmF0dXJl"
    await web_client.get(f"/antwoord/{token}")
    await web_client.get(f"/nergens/{NUMBER}")
    answered, unmatched = access_lines(json_logs())
    assert answered["route"] == "/antwoord/{token}"
    assert (unmatched["route"], unmatched["status"]) == ("unmatched", 404)
    logged = json.dumps(json_logs())
    assert token not in logged and NUMBER not in logged


async def test_a_signed_in_users_id_and_role_never_their_address(web_client, sessions, text_logs):
    agent_id = await add_user(
        sessions, email=AGENT, role=Role.AGENT, password=PASSWORD, now=NOW, actor="test"
    )
    assert (await sign_in(web_client, AGENT, PASSWORD)).status == 303
    answer = await web_client.get("/belwachtrij")
    assert answer.status == 200
    request_id = answer.headers["X-Request-Id"]
    (line,) = (line for line in text_logs() if f"[request {request_id}]" in line)
    assert re.search(
        rf" INFO followup\.access \[request {request_id}\] GET /belwachtrij 200 \d+ ms "
        rf"user {agent_id} agent$",
        line,
    ), line
    logged = "\n".join(text_logs())
    assert AGENT not in logged and "jansen" not in logged
    # The sign-in form itself was logged too, without the address it carried.
    assert re.search(r"followup\.access \[request \w+\] POST /inloggen 303 \d+ ms$", logged, re.M)


async def test_a_refused_request_is_logged_with_its_status(web_client, json_logs):
    await web_client.get("/belwachtrij", allow_redirects=False)  # not signed in
    (line,) = access_lines(json_logs())
    assert (line["route"], line["status"]) == ("/belwachtrij", 303)
