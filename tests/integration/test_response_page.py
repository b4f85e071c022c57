"""The response page behind the personal link in our e-mails: the same answers as by SMS,
recorded once; a forged, expired or used link gets a clear page and records nothing."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from followup.app import create_app
from followup.app_keys import CLOCK
from followup.rules.domain import (
    AttemptPurpose,
    FollowUpState,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    UnreachableReason,
)
from followup.rules.response_links import ResponseLinks
from followup.settings import Settings
from followup.store.tables import Attempt, FollowUp, OptOut, Outcome
from tests.support.rows import NOW, add_client, add_follow_up

SECRET = "a-test-secret-key-that-signs-response-links"
TODAY = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
async def follow_up_id(sessions) -> int:
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session)
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        return follow_up.id


@pytest.fixture
async def app(db_url):
    app = create_app(Settings(_env_file=None, database_url=db_url), secret_key=SECRET)
    app[CLOCK] = lambda: TODAY
    return app


@pytest.fixture
async def client(app, aiohttp_client):
    return await aiohttp_client(app)


def link(follow_up_id: int, made: datetime = TODAY) -> str:
    return ResponseLinks("", SECRET).url(follow_up_id, made.date())


async def outcome(sessions) -> tuple | None:
    async with sessions() as session:
        row = (
            await session.execute(
                sa.select(Outcome.category, Outcome.reason, Outcome.source, FollowUp.state).join(
                    FollowUp, FollowUp.id == Outcome.follow_up_id
                )
            )
        ).first()
    return tuple(row) if row else None


async def test_the_page_offers_every_answer_privately(client, follow_up_id):
    response = await client.get(link(follow_up_id))
    assert response.status == 200
    page = await response.text()
    assert '<html lang="nl">' in page
    assert 'name="viewport"' in page
    for label in ("Ik ben actief geworden", "Het WIJ-team helpt mij", "Bel mij"):
        assert label in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("choice", "category"),
    [
        ("1", OutcomeCategory.ACTIVE),
        ("2", OutcomeCategory.WITH_WIJ),
        ("3", OutcomeCategory.IN_PROGRESS),
        ("4", OutcomeCategory.NOT_ACTIVE),
    ],
)
async def test_an_answer_is_recorded_once(client, sessions, follow_up_id, choice, category):
    response = await client.post(link(follow_up_id), data={"keuze": choice})
    assert response.status == 200
    assert "Dank u wel" in await response.text()
    assert await outcome(sessions) == (
        category,
        None,
        OutcomeSource.EMAIL_LINK,
        FollowUpState.CLOSED,
    )

    again = await client.post(link(follow_up_id), data={"keuze": "4"})
    assert "U heeft al geantwoord" in await again.text()
    assert (await outcome(sessions))[0] is category
    assert "U heeft al geantwoord" in await (await client.get(link(follow_up_id))).text()


async def test_stop_on_the_page_is_an_opt_out(client, sessions, follow_up_id):
    await client.post(link(follow_up_id), data={"keuze": "stop"})
    assert await outcome(sessions) == (
        OutcomeCategory.UNREACHABLE,
        UnreachableReason.OPTED_OUT,
        OutcomeSource.EMAIL_LINK,
        FollowUpState.CLOSED,
    )
    async with sessions() as session:
        assert await session.scalar(sa.select(OptOut.source)) is OptOutSource.EMAIL_LINK


async def test_bel_on_the_page_asks_for_one_call(client, sessions, follow_up_id):
    for _ in range(2):
        response = await client.post(link(follow_up_id), data={"keuze": "bel"})
        assert "belt u zo snel mogelijk" in await response.text()
    async with sessions() as session:
        calls = await session.scalar(
            sa.select(sa.func.count()).where(Attempt.purpose == AttemptPurpose.CALLBACK)
        )
    assert calls == 1
    assert await outcome(sessions) is None


async def test_an_unknown_choice_shows_the_form_again(client, sessions, follow_up_id):
    response = await client.post(link(follow_up_id), data={"keuze": "5"})
    assert response.status == 200
    assert "Kies wat het beste bij u past" in await response.text()
    assert await outcome(sessions) is None


async def test_an_expired_link_records_nothing(client, sessions, follow_up_id):
    old = link(follow_up_id, TODAY - timedelta(days=61))
    for response in (await client.get(old), await client.post(old, data={"keuze": "1"})):
        assert response.status == 410
        assert "Deze link is verlopen" in await response.text()
    assert await outcome(sessions) is None


@pytest.mark.parametrize(
    "path",
    [
        lambda url: url.replace("/antwoord/1.", "/antwoord/2.", 1),  # another resident's
        lambda url: url[:-2] + "xx",
        lambda url: "/antwoord/1",
        lambda url: "/antwoord/%3Cscript%3E",
    ],
)
async def test_a_forged_link_records_nothing(client, sessions, follow_up_id, path):
    forged = path(link(follow_up_id))
    for response in (await client.get(forged), await client.post(forged, data={"keuze": "1"})):
        assert response.status == 404
        text = await response.text()
        assert "Deze link klopt niet" in text
        assert "<script>" not in text
    assert await outcome(sessions) is None
