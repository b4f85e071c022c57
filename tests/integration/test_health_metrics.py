"""GET /healthz and GET /metrics on real SQLite and PostgreSQL: the database's state as
Prometheus reads it, request counts by route pattern, and 503 when the database is gone."""

import asyncio
import gc
import uuid
from datetime import timedelta

import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from followup.app import create_app
from followup.rules.domain import (
    AttemptState,
    CarrierResource,
    Channel,
    OutcomeCategory,
    UnreachableReason,
)
from followup.settings import Settings
from followup.store.engine import create_engine, session_factory
from followup.store.tables import CarrierEvent
from followup.web.access import public
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up
from tests.support.webhooks import Clock, app_for

RESIDENT_PATH = "/clients/0612345678"
METRICS_TOKEN = "a-token-for-prometheus-only"
LEAKY = "duplicate key value (to_address)=(%s)"  # what a driver's error may say


def monitored_app(sessions) -> web.Application:
    """The app, plus one route with a parameter in its path and one that fails."""
    database_url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = Settings(_env_file=None, database_url=database_url, metrics_token=METRICS_TOKEN)
    app = app_for(settings, sessions, Clock(NOW))

    @public("a test page")
    async def client_page(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    @public("a test page")
    async def broken_page(request: web.Request) -> web.Response:
        # As a driver's error can quote the values of its statement.
        raise ValueError(LEAKY % request.match_info["ref"])

    app.router.add_get("/clients/{ref}", client_page)
    app.router.add_get("/broken/{ref}", broken_page)
    return app


@pytest.fixture
async def client(sessions, aiohttp_client):
    return await aiohttp_client(monitored_app(sessions))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unreachable_url(request, tmp_path) -> str:
    """A database that is not there: a file in a missing folder, or a dropped database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'followup.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.set(database=f"followup_gone_{uuid.uuid4().hex[:10]}").render_as_string(
        hide_password=False
    )


async def scrape(client) -> dict[tuple[str, frozenset], float]:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response.headers["Cache-Control"] == "no-store"
    text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def test_healthz_answers_ok_without_login_and_is_never_cached(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert await response.json() == {
        "status": "ok",
        "database": "ok",
        **{channel: "ok" for channel in ("call", "sms", "email")},
    }


async def test_healthz_is_503_when_the_database_is_unreachable(unreachable_url, aiohttp_client):
    engine = create_engine(unreachable_url)
    try:
        client = await aiohttp_client(monitored_app(session_factory(engine)))
        response = await client.get("/healthz")
        assert response.status == 503
        assert response.headers["Cache-Control"] == "no-store"
        assert await response.json() == {"status": "unavailable", "database": "unreachable"}

        samples = await scrape(client)  # this process's figures still get through
        assert value(samples, "followup_database_up") == 0
        assert value(samples, "followup_attempts_queued", channel="sms") is None
        requests = "followup_http_requests_total"
        assert value(samples, requests, method="GET", route="/healthz", status="503") == 1
    finally:
        await engine.dispose()
        # aiosqlite leaves the thread of a connection that failed to open for the garbage
        # collector, which stops it on the event loop: collect it while this test's loop
        # still runs, not during a later test's.
        gc.collect()
        await asyncio.sleep(0.05)


async def test_request_counts_go_up_by_route_pattern_never_the_raw_path(client):
    for _ in range(2):
        assert (await client.get("/healthz")).status == 200
    assert (await client.get(RESIDENT_PATH)).status == 200
    assert (await client.get("/nowhere/0687654321")).status == 404

    samples = await scrape(client)
    requests = "followup_http_requests_total"
    assert value(samples, requests, method="GET", route="/healthz", status="200") == 2
    assert value(samples, requests, method="GET", route="/clients/{ref}", status="200") == 1
    assert value(samples, requests, method="GET", route="unmatched", status="404") == 1
    latency = "followup_http_request_duration_seconds_count"
    assert value(samples, latency, method="GET", route="/clients/{ref}") == 1
    labels = {v for (_, label_set) in samples for _, v in label_set}
    assert not any("0612345678" in v or "0687654321" in v for v in labels)

    await client.get("/healthz")
    samples = await scrape(client)
    assert value(samples, requests, method="GET", route="/healthz", status="200") == 3
    assert value(samples, requests, method="GET", route="/metrics", status="200") == 1


async def test_an_unexpected_error_is_logged_without_its_message(client, caplog):
    answer = await client.get("/broken/0612345678")
    assert answer.status == 500
    assert await answer.text() == "Er ging iets mis aan onze kant. Probeer het later opnieuw."
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "unexpected ValueError on GET /broken/{ref}" in logged
    assert "broken_page" in logged  # where it went wrong
    assert "0612345678" not in logged and "duplicate key value" not in logged
    samples = await scrape(client)
    requests = "followup_http_requests_total"
    assert value(samples, requests, method="GET", route="/broken/{ref}", status="500") == 1


async def test_an_empty_database_reports_zeros(client):
    samples = await scrape(client)
    assert value(samples, "followup_database_up") == 1
    for channel in Channel:
        for name in ("queued", "due", "sending"):
            assert value(samples, f"followup_attempts_{name}", channel=channel.value) == 0
    for category in OutcomeCategory:
        assert value(samples, "followup_outcomes", category=category.value) == 0
    assert not [key for key in samples if key[0] == "followup_carrier_events"]


async def test_queue_events_and_outcomes_reflect_the_rows(client, sessions):
    later, earlier = NOW + timedelta(days=1), NOW - timedelta(hours=1)
    async with sessions() as session, session.begin():
        for ref, outcome in (
            ("1", (OutcomeCategory.ACTIVE, None)),
            ("2", (OutcomeCategory.ACTIVE, None)),
            ("3", (OutcomeCategory.UNREACHABLE, UnreachableReason.NO_ANSWER)),
            ("4", None),
        ):
            client_id, conversation_id = await add_client(session, ref)
            follow_up = await add_follow_up(
                session, client_id, conversation_id, round_number=1, opened_at=NOW, outcome=outcome
            )
        queued = {"state": AttemptState.QUEUED, "tries": 0, "sent_at": None}
        for channel, due_at in ((Channel.SMS, earlier), (Channel.SMS, later), (Channel.CALL, NOW)):
            await add_attempt(session, follow_up.id, channel=channel, due_at=due_at, **queued)
        await add_attempt(session, follow_up.id, state=AttemptState.SENDING)
        sent = await add_attempt(session, follow_up.id, carrier_sid="SM" + "1" * 32)
        for resource, sid, status in (
            (CarrierResource.MESSAGE, sent.carrier_sid, "sent"),
            (CarrierResource.MESSAGE, sent.carrier_sid, "delivered"),
            (CarrierResource.MESSAGE, "SM" + "2" * 32, "delivered"),  # an orphan counts too
            (CarrierResource.CALL, "CA" + "3" * 32, "completed"),
        ):
            session.add(
                CarrierEvent(resource=resource, sid=sid, status=status, payload={}, received_at=NOW)
            )

    samples = await scrape(client)
    assert value(samples, "followup_attempts_queued", channel="sms") == 2
    assert value(samples, "followup_attempts_queued", channel="call") == 1
    assert value(samples, "followup_attempts_queued", channel="email") == 0
    assert value(samples, "followup_attempts_due", channel="sms") == 1  # the later one waits
    assert value(samples, "followup_attempts_due", channel="call") == 1  # due at this moment
    assert value(samples, "followup_attempts_sending", channel="sms") == 1
    assert value(samples, "followup_attempts_sending", channel="call") == 0
    events = "followup_carrier_events"
    assert value(samples, events, resource="message", status="delivered") == 2
    assert value(samples, events, resource="message", status="sent") == 1
    assert value(samples, events, resource="call", status="completed") == 1
    assert value(samples, "followup_outcomes", category="active") == 2
    assert value(samples, "followup_outcomes", category="unreachable") == 1
    assert value(samples, "followup_outcomes", category="with_wij") == 0


async def test_a_long_write_holds_neither_endpoint_up(client, sessions):
    """On SQLite a session's transaction takes the write lock: health and figures must not
    queue behind it (the check would time out into a 503) nor hold the dialer up."""
    async with sessions() as session, session.begin():
        await add_client(session, "1")
        response = await client.get("/healthz")
        assert response.status == 200
        samples = await scrape(client)
    assert value(samples, "followup_database_up") == 1


async def test_the_app_itself_serves_both_endpoints(db_url, aiohttp_client):
    """Through the composition root: routes and middleware registered by create_app."""
    settings = Settings(_env_file=None, database_url=db_url, metrics_token=METRICS_TOKEN)
    app = create_app(settings, secret_key="test-secret")
    client = await aiohttp_client(app)
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/nowhere")).status == 404
    samples = await scrape(client)
    assert value(samples, "followup_database_up") == 1
    requests = "followup_http_requests_total"
    assert value(samples, requests, method="GET", route="/healthz", status="200") == 1
    assert value(samples, requests, method="GET", route="unmatched", status="404") == 1
