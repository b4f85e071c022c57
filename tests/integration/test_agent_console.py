"""The agent console over HTTP, on SQLite and PostgreSQL: "Volgende inwoner" leases the next
resident (who asked to be called first), the card shows the history and audits each opening,
and the wrap-up records what came of a call, once, with what each result does."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    ContactStatus,
    EvidenceSource,
    FollowUpState,
    MessageDirection,
    OutcomeCategory,
    OutcomeSource,
    PhoneLabel,
    Role,
    UnreachableReason,
    WrapUpResult,
)
from followup.rules.erasure import contact_digest
from followup.rules.wrap_up import CALLBACK_GRACE
from followup.services.pacing import pause_channel
from followup.services.users import add_user
from followup.settings import Settings
from followup.store import opt_out_hashes
from followup.store.staff_tables import AuditRecord
from followup.store.tables import (
    Attempt,
    Client,
    ContactChange,
    FollowUp,
    OptOut,
    Outcome,
    PhoneNumber,
    SmsMessage,
    SmsTemplate,
    WrapUp,
)
from tests.support.follow_up_facts import kept_and_worked_out
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up, add_phone
from tests.support.webhooks import Clock, app_for

ZONE = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
PUBLIC = "http://nabellen.gemeente.example"
SECRET = "k" * 43
PASSWORD = "een lang wachtwoord"
AGENT_EMAIL = "a@gemeente.example"


@pytest.fixture
def clock():
    return Clock(MONDAY)


@pytest.fixture
def app_factory(sessions, db_url, aiohttp_client, clock):
    async def make():
        settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
        return await aiohttp_client(app_for(settings, sessions, clock, SECRET))

    return make


async def agent(app_factory, sessions, email="a@gemeente.example", role=Role.AGENT):
    """A browser of its own, signed in as a new user."""
    await add_user(
        sessions,
        email=email,
        role=role,
        password=PASSWORD,
        now=NOW,
        actor="test",
        phone="06-11112222" if role is Role.AGENT else None,
    )
    web = await app_factory()
    answer = await post(web, "/inloggen", {"email": email, "wachtwoord": PASSWORD}, "/inloggen")
    assert answer.status == 303
    return web


async def post(web, path: str, data: dict, page: str = "/belwachtrij"):
    """A form posted the way the browser does: with the token of the page it is on."""
    html = await (await web.get(page)).text()
    token = re.search(r'name="csrf" value="([^"]*)"', html)
    return await web.post(
        path, data={"csrf": token[1] if token else ""} | data, allow_redirects=False
    )


async def resident(
    sessions, ref: str, *, due: datetime = NOW, purpose=AttemptPurpose.CALL, **follow_up
):
    """An open follow-up with a mobile number and a call due at `due`: (client, follow-up)."""
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, ref)
        await session.execute(
            sa.update(Client).where(Client.id == client_id).values(name=f"Inwoner {ref}")
        )
        row = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        for name, value in follow_up.items():
            setattr(row, name, value)
        await add_phone(session, client_id, f"+316{int(ref):08d}")
        await add_attempt(
            session,
            row.id,
            channel=Channel.CALL,
            purpose=purpose,
            state=AttemptState.QUEUED,
            sent_at=None,
            tries=0,
            due_at=due,
        )
        return client_id, row.id


async def take_next(web) -> int | None:
    """The client whose card "Volgende inwoner" opened; None when it went back to the queue."""
    answer = await post(web, "/belwachtrij/volgende", {})
    assert answer.status == 303
    found = re.fullmatch(r"/belwachtrij/inwoners/(\d+)", answer.headers["Location"])
    return int(found[1]) if found else None


async def answered_call(sessions, follow_up_id: int, agent_email: str) -> int:
    """The agent's call of this follow-up, dialled and answered: it waits for its wrap-up."""
    async with sessions() as session, session.begin():
        agent_id = await session.scalar(
            sa.text("SELECT id FROM users WHERE email = :e"), {"e": agent_email}
        )
        call = await session.scalar(
            sa.select(Attempt).where(
                Attempt.follow_up_id == follow_up_id, Attempt.channel == Channel.CALL
            )
        )
        call.agent_id = agent_id
        call.state = AttemptState.ANSWERED
        call.carrier_sid = f"CA{call.id:032d}"
        call.carrier_status = "completed"
        call.finished_at = NOW
        return call.id


async def after_a_call(app_factory, sessions):
    """An agent who took the next resident and talked to them: (browser, resident,
    follow-up, the call waiting for its result)."""
    client_id, follow_up_id = await resident(sessions, "1")
    web = await agent(app_factory, sessions)
    assert await take_next(web) == client_id
    return web, client_id, follow_up_id, await answered_call(sessions, follow_up_id, AGENT_EMAIL)


async def wrap(web, client_id, follow_up_id, attempt_id=None, **fields):
    card = f"/belwachtrij/inwoners/{client_id}"
    data = {"follow_up": str(follow_up_id)} | fields
    if attempt_id is not None:
        data["gesprek"] = str(attempt_id)
    return await post(web, card + "/afronden", data, card)


async def one(sessions, query):
    async with sessions() as session:
        return (await session.execute(query)).scalar_one_or_none()


async def all_of(sessions, query):
    async with sessions() as session:
        return list((await session.execute(query)).scalars())


async def test_next_gives_who_asked_to_be_called_first_then_who_waited_longest(
    app_factory, sessions
):
    waited_less, _ = await resident(sessions, "1", due=NOW)
    waited_most, _ = await resident(sessions, "2", due=NOW - timedelta(hours=3))
    asked, _ = await resident(
        sessions, "3", purpose=AttemptPurpose.CALLBACK, callback_requested_at=NOW
    )
    await resident(sessions, "4", due=MONDAY + timedelta(hours=1))  # not due yet
    first = await agent(app_factory, sessions, "a@gemeente.example")
    second = await agent(app_factory, sessions, "b@gemeente.example")
    third = await agent(app_factory, sessions, "c@gemeente.example")
    fourth = await agent(app_factory, sessions, "d@gemeente.example")

    assert await take_next(first) == asked
    assert await take_next(second) == waited_most
    assert await take_next(third) == waited_less
    assert await take_next(fourth) is None
    page = await (await fourth.get("/belwachtrij?melding=niemand")).text()
    assert "Er wacht nu niemand" in page


async def test_the_card_shows_the_history_and_each_opening_is_audited(app_factory, sessions):
    client_id, _ = await resident(sessions, "1")
    async with sessions() as session, session.begin():
        session.add(
            SmsMessage(
                direction=MessageDirection.INBOUND,
                client_id=client_id,
                from_number="+31600000001",
                to_number="+3197010000001",
                body="Bel me maar na drie uur",
                created_at=NOW,
            )
        )
    web = await agent(app_factory, sessions)
    page = await (await web.get(f"/belwachtrij/inwoners/{client_id}")).text()

    assert "Inwoner 1" in page
    assert "Bel me maar na drie uur" in page
    assert "Sms van de inwoner" in page
    assert "•••• 0001" in page and "+31600000001" not in page  # agents see the last digits
    assert "mobiel" in page
    opened = await all_of(
        sessions, sa.select(AuditRecord).where(AuditRecord.action == "card_opened")
    )
    assert [record.client_id for record in opened] == [client_id]
    # Opening it leased the resident to this agent.
    assert await one(sessions, sa.select(FollowUp.leased_to_id)) is not None


async def test_a_resident_held_by_a_colleague_is_shown_but_not_theirs_to_call(
    app_factory, sessions
):
    client_id, follow_up_id = await resident(sessions, "1")
    first = await agent(app_factory, sessions, "a@gemeente.example")
    second = await agent(app_factory, sessions, "b@gemeente.example")
    assert await take_next(first) == client_id

    page = await (await second.get(f"/belwachtrij/inwoners/{client_id}")).text()
    assert "a@gemeente.example werkt nu met deze inwoner" in page
    assert 'id="bellen"' not in page
    answer = await wrap(second, client_id, follow_up_id, resultaat=WrapUpResult.ACTIVE.value)
    assert answer.status == 409
    assert "Een collega werkt nu met deze inwoner" in await answer.text()
    assert await one(sessions, sa.select(Outcome)) is None


async def test_a_lease_lapses_when_the_agent_went_away(app_factory, sessions, clock):
    client_id, _ = await resident(sessions, "1")
    first = await agent(app_factory, sessions, "a@gemeente.example")
    second = await agent(app_factory, sessions, "b@gemeente.example")
    assert await take_next(first) == client_id
    assert await take_next(second) is None
    clock.now = MONDAY + timedelta(minutes=6)
    assert await take_next(second) == client_id


async def test_an_outcome_with_a_note_closes_the_follow_up_once(app_factory, sessions):
    client_id, follow_up_id = await resident(sessions, "1")
    web = await agent(app_factory, sessions)
    assert await take_next(web) == client_id
    call = await answered_call(sessions, follow_up_id, "a@gemeente.example")

    # The next resident waits for the result of this call.
    assert await take_next(web) == client_id
    card = await (await web.get(f"/belwachtrij/inwoners/{client_id}")).text()
    assert "Leg hieronder vast hoe het gesprek ging" in card

    answer = await wrap(
        web, client_id, follow_up_id, call, resultaat="active", notitie="Werkt 2 dagen per week"
    )
    assert answer.status == 303
    assert answer.headers["Location"].endswith("?gedaan=vastgelegd")
    outcome = await one(sessions, sa.select(Outcome))
    assert (outcome.category, outcome.source, outcome.note) == (
        OutcomeCategory.ACTIVE,
        OutcomeSource.AGENT,
        "Werkt 2 dagen per week",
    )
    follow_up = await one(sessions, sa.select(FollowUp))
    assert follow_up.state is FollowUpState.CLOSED
    assert follow_up.leased_to_id is None

    again = await wrap(web, client_id, follow_up_id, call, resultaat="not_active")
    assert again.status == 409
    assert "al afgerond" in await again.text()
    assert len(await all_of(sessions, sa.select(WrapUp))) == 1
    assert (await one(sessions, sa.select(Outcome))).category is OutcomeCategory.ACTIVE
    kept, worked_out = await kept_and_worked_out(sessions)
    assert kept == worked_out
    assert kept[follow_up_id][1:3] == (OutcomeCategory.ACTIVE, None)


async def test_no_answer_keeps_the_follow_up_open(app_factory, sessions):
    client_id, follow_up_id = await resident(sessions, "1")
    web = await agent(app_factory, sessions)
    await take_next(web)
    await answered_call(sessions, follow_up_id, "a@gemeente.example")

    # The card was opened before the call: its form does not name the call, the service
    # finds it.
    answer = await wrap(web, client_id, follow_up_id, resultaat="no_answer")
    assert answer.status == 303
    assert (await one(sessions, sa.select(FollowUp))).state is FollowUpState.OPEN
    assert await one(sessions, sa.select(Attempt.wrapped_up_at)) is not None


async def test_a_result_about_a_call_needs_a_call(app_factory, sessions):
    client_id, follow_up_id = await resident(sessions, "1")
    web = await agent(app_factory, sessions)
    await take_next(web)
    answer = await wrap(web, client_id, follow_up_id, resultaat="voicemail")
    assert answer.status == 409
    assert "kan alleen na een gesprek" in await answer.text()
    assert await all_of(sessions, sa.select(WrapUp)) == []


@pytest.mark.parametrize(
    ("day", "moment", "problem"),
    [
        ("2026-11-23", "09:00", "al voorbij"),
        ("2026-11-28", "14:00", "belt het team niet"),  # a Saturday
        ("2026-11-24", "21:30", "belt het team niet"),
        ("2027-03-01", "10:00", "binnen zes weken"),
        ("morgen", "14:00", "Vul een datum en een tijd in"),
        ("", "", "Kies een datum en tijd"),
    ],
)
async def test_a_callback_time_must_lie_ahead_inside_the_call_window(
    app_factory, sessions, day, moment, problem
):
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    answer = await wrap(
        web,
        client_id,
        follow_up_id,
        call,
        resultaat="call_back",
        terugbellen_datum=day,
        terugbellen_tijd=moment,
        notitie="blijft staan",
    )
    assert answer.status == 409
    page = await answer.text()
    assert problem in page
    assert "blijft staan" in page  # the form as the agent filled it in
    assert await all_of(sessions, sa.select(WrapUp)) == []


async def test_an_agreed_callback_comes_back_at_its_time_to_the_agent_first(
    app_factory, sessions, clock
):
    client_id, follow_up_id = await resident(sessions, "1")
    first = await agent(app_factory, sessions, "a@gemeente.example")
    await take_next(first)
    call = await answered_call(sessions, follow_up_id, "a@gemeente.example")
    answer = await wrap(
        first,
        client_id,
        follow_up_id,
        call,
        resultaat="call_back",
        terugbellen_datum="2026-11-26",
        terugbellen_tijd="14:00",
    )
    assert answer.status == 303
    callback = await one(
        sessions,
        sa.select(Attempt).where(
            Attempt.purpose == AttemptPurpose.CALLBACK, Attempt.state == AttemptState.QUEUED
        ),
    )
    agreed = datetime(2026, 11, 26, 14, 0, tzinfo=ZONE)
    assert callback.due_at == agreed

    clock.now = agreed - timedelta(minutes=1)
    colleague = await agent(app_factory, sessions, "b@gemeente.example")  # on that day's shift
    assert await take_next(colleague) is None  # not yet due
    clock.now = agreed + timedelta(minutes=1)
    assert await take_next(colleague) is None  # the agreeing agent's, for a while
    clock.now = agreed + CALLBACK_GRACE + timedelta(minutes=1)
    assert await take_next(colleague) == client_id  # never stale


async def test_the_agreeing_agent_gets_their_callback_when_it_is_due(app_factory, sessions, clock):
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    await wrap(
        web,
        client_id,
        follow_up_id,
        call,
        resultaat="call_back",
        terugbellen_datum="2026-11-24",
        terugbellen_tijd="11:00",
    )
    await resident(sessions, "2", due=NOW - timedelta(days=1))  # waited longer
    clock.now = datetime(2026, 11, 24, 11, 0, tzinfo=ZONE)
    next_day = await app_factory()  # the same agent, signed in again the next morning
    answer = await post(
        next_day, "/inloggen", {"email": "a@gemeente.example", "wachtwoord": PASSWORD}, "/inloggen"
    )
    assert answer.status == 303
    assert await take_next(next_day) == client_id


async def test_a_wrong_number_is_flagged_with_the_agent_as_evidence_and_another_takes_over(
    app_factory, sessions
):
    client_id, follow_up_id = await resident(sessions, "1")
    async with sessions() as session, session.begin():
        await add_phone(session, client_id, "+31612345678", PhoneLabel.ALTERNATE)
    web = await agent(app_factory, sessions)
    await take_next(web)
    call = await answered_call(sessions, follow_up_id, "a@gemeente.example")
    async with sessions() as session, session.begin():
        primary = await session.scalar(
            sa.select(PhoneNumber.id).where(PhoneNumber.label == PhoneLabel.PRIMARY)
        )
        await session.execute(
            sa.update(Attempt).where(Attempt.id == call).values(phone_number_id=primary)
        )

    answer = await wrap(web, client_id, follow_up_id, call, resultaat="wrong_number")
    assert answer.status == 303
    number = await one(sessions, sa.select(PhoneNumber).where(PhoneNumber.id == primary))
    assert (number.status, number.invalid_source, number.invalid_detail) == (
        ContactStatus.INVALID,
        EvidenceSource.AGENT,
        "a@gemeente.example",
    )
    fallback = await one(sessions, sa.select(Attempt).where(Attempt.replaces_id == call))
    assert (fallback.channel, fallback.state) == (Channel.CALL, AttemptState.QUEUED)
    assert (await one(sessions, sa.select(FollowUp))).state is FollowUpState.OPEN


async def test_no_contact_wanted_is_an_opt_out(app_factory, sessions):
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    answer = await wrap(web, client_id, follow_up_id, call, resultaat="no_contact_wanted")
    assert answer.status == 303
    assert await one(sessions, sa.select(OptOut.source)) == "agent"
    outcome = await one(sessions, sa.select(Outcome))
    assert (outcome.category, outcome.reason) == (
        OutcomeCategory.UNREACHABLE,
        UnreachableReason.OPTED_OUT,
    )
    queued = await all_of(sessions, sa.select(Attempt).where(Attempt.state == AttemptState.QUEUED))
    assert queued == []


async def test_a_new_number_and_address_replace_the_old_ones_which_stay_in_the_history(
    app_factory, sessions
):
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    answer = await wrap(
        web,
        client_id,
        follow_up_id,
        call,
        resultaat="in_progress",
        nieuw_nummer="06 1234 9876",
        nieuw_email="Nieuw@Voorbeeld.nl",
    )
    assert answer.status == 303
    numbers = await all_of(sessions, sa.select(PhoneNumber).order_by(PhoneNumber.id))
    assert [(n.e164, n.retired_at is not None, n.source) for n in numbers] == [
        ("+31600000001", True, EvidenceSource.IMPORT),
        ("+31612349876", False, EvidenceSource.AGENT),
    ]
    assert await one(sessions, sa.select(Client.email)) == "nieuw@voorbeeld.nl"
    changes = await all_of(sessions, sa.select(ContactChange).order_by(ContactChange.id))
    assert [(c.kind, c.old_value, c.new_value) for c in changes] == [
        ("phone", "+31600000001", "+31612349876"),
        ("email", None, "nieuw@voorbeeld.nl"),
    ]
    page = await (await web.get(f"/belwachtrij/inwoners/{client_id}")).text()
    assert "Nieuw telefoonnummer" in page and "oud nummer" in page


async def test_a_new_number_an_erased_resident_opted_out_with_is_an_opt_out(app_factory, sessions):
    async with sessions() as session, session.begin():  # as `followup erase` left it
        pepper = await opt_out_hashes.pepper(session, NOW)
        digest = contact_digest(pepper, "phone", "+31612349876")
        await opt_out_hashes.keep_digests(session, [digest], NOW)
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    answer = await wrap(
        web, client_id, follow_up_id, call, resultaat="no_answer", nieuw_nummer="06 1234 9876"
    )
    assert answer.status == 303
    assert await one(sessions, sa.select(OptOut.source)) == "back_office"
    outcome = await one(sessions, sa.select(Outcome))
    assert (outcome.category, outcome.reason) == (
        OutcomeCategory.UNREACHABLE,
        UnreachableReason.OPTED_OUT,
    )


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"nieuw_nummer": "bel mij"}, "Het nieuwe telefoonnummer klopt niet"),
        ({"nieuw_email": "geen-adres"}, "Het nieuwe e-mailadres klopt niet"),
        ({"notitie": "x" * 1001}, "De notitie is te lang"),
        ({"resultaat": "gewonnen"}, "Kies wat er uit het gesprek kwam"),
    ],
)
async def test_bad_input_records_nothing_and_says_what_to_change(
    app_factory, sessions, fields, problem
):
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    answer = await wrap(web, client_id, follow_up_id, call, **({"resultaat": "active"} | fields))
    assert answer.status == 409
    assert problem in await answer.text()
    assert await all_of(sessions, sa.select(WrapUp)) == []
    assert await one(sessions, sa.select(Outcome)) is None


async def test_a_call_closed_meanwhile_keeps_only_its_result(app_factory, sessions):
    """The resident answered by SMS during the call: their answer stays, the call is wrapped
    up so the agent can go on."""
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    async with sessions() as session, session.begin():
        await session.execute(sa.update(FollowUp).values(state=FollowUpState.CLOSED, closed_at=NOW))
    answer = await wrap(web, client_id, follow_up_id, call, resultaat="not_active")
    assert answer.headers["Location"].endswith("?gedaan=al-gesloten")
    assert await one(sessions, sa.select(Outcome)) is None
    assert await take_next(web) is None  # nothing holds the agent any more


async def test_sms_from_the_card_is_queued_with_the_agents_text(app_factory, sessions):
    client_id, follow_up_id = await resident(sessions, "1")
    web = await agent(app_factory, sessions)
    await take_next(web)
    card = f"/belwachtrij/inwoners/{client_id}"
    page = await (await web.get(card)).text()
    assert "Ik probeerde u te bellen" in page  # a team template to start from

    answer = await post(
        web, card + "/sms", {"follow_up": str(follow_up_id), "tekst": " Ik bel morgen. "}, card
    )
    assert answer.status == 303
    sms = await one(sessions, sa.select(Attempt).where(Attempt.channel == Channel.SMS))
    assert (sms.purpose, sms.message, sms.state) == (
        AttemptPurpose.AGENT_MESSAGE,
        "Ik bel morgen.",
        AttemptState.QUEUED,
    )
    too_long = await post(
        web, card + "/sms", {"follow_up": str(follow_up_id), "tekst": "x" * 321}, card
    )
    assert too_long.status == 409
    assert "te lang" in await too_long.text()


async def test_calling_from_the_card_takes_the_due_call(app_factory, sessions):
    client_id, follow_up_id = await resident(sessions, "1")
    web = await agent(app_factory, sessions)
    await take_next(web)
    card = f"/belwachtrij/inwoners/{client_id}"
    answer = await post(web, card + "/bellen", {"follow_up": str(follow_up_id)}, card)
    assert answer.status == 303
    calls = await all_of(sessions, sa.select(Attempt))
    assert len(calls) == 1 and calls[0].agent_id is not None
    audit = await all_of(
        sessions, sa.select(AuditRecord.action).where(AuditRecord.action == "call_taken")
    )
    assert audit == ["call_taken"]


async def test_a_coordinator_finishes_a_call_an_agent_left_without_a_result(app_factory, sessions):
    """The agent went home without recording the call: the coordinator sees it and records
    it on their behalf, so the resident is no longer held. Without such a call a coordinator
    records nothing: the call team does."""
    _, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    coordinator = await agent(app_factory, sessions, "c@gemeente.example", Role.COORDINATOR)

    queue = await (await coordinator.get("/belwachtrij")).text()
    assert "Gesprekken zonder afronding" in queue and AGENT_EMAIL in queue
    card = await (await coordinator.get(f"/belwachtrij/inwoners/{client_id}")).text()
    assert "Rond het hieronder af namens de medewerker" in card and 'id="vastleggen"' in card
    assert 'id="bellen"' not in card  # coordinators do not call
    answer = await wrap(
        coordinator, client_id, follow_up_id, call, resultaat="no_answer", notitie="navraag"
    )
    assert answer.status == 303
    wrapped = await one(sessions, sa.select(WrapUp))
    assert (wrapped.attempt_id, wrapped.note) == (call, "navraag")
    assert await one(sessions, sa.select(Attempt.wrapped_up_at)) is not None

    nothing_left = await wrap(coordinator, client_id, follow_up_id, resultaat="active")
    assert nothing_left.status == 409
    assert "geen gesprek dat nog wacht op afronding" in await nothing_left.text()
    assert await one(sessions, sa.select(Outcome)) is None


async def test_an_unknown_resident_is_not_found(app_factory, sessions):
    web = await agent(app_factory, sessions)
    assert (await web.get("/belwachtrij/inwoners/999")).status == 404


async def test_coordinators_keep_the_teams_sms_texts(app_factory, sessions):
    coordinator = await agent(app_factory, sessions, "c@gemeente.example", Role.COORDINATOR)
    path = "/belwachtrij/sjablonen"
    half = await post(coordinator, path, {"naam": "Alleen een naam", "bericht": ""}, path)
    assert half.status == 400
    assert "Tekst 1: vul een naam én een bericht in." in await half.text()
    assert len(await all_of(sessions, sa.select(SmsTemplate))) == 3  # nothing changed

    html = await (await coordinator.get(path)).text()
    token = re.search(r'name="csrf" value="([^"]*)"', html)
    answer = await coordinator.post(
        path,
        data=[
            ("csrf", token[1] if token else ""),
            ("naam", "Afspraak"),
            ("bericht", "We bellen u donderdag."),
            ("naam", ""),
            ("bericht", ""),
        ],
        allow_redirects=False,
    )
    assert answer.status == 303
    saved = await all_of(sessions, sa.select(SmsTemplate))
    assert [(t.title, t.body) for t in saved] == [("Afspraak", "We bellen u donderdag.")]
    assert await all_of(
        sessions, sa.select(AuditRecord.action).where(AuditRecord.action == "templates_changed")
    ) == ["templates_changed"]
    web = await agent(app_factory, sessions)
    assert (await web.get(path, allow_redirects=False)).status == 403


async def test_an_agents_own_agreed_callback_comes_before_residents_who_asked(
    app_factory, sessions, clock
):
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    await wrap(
        web,
        client_id,
        follow_up_id,
        call,
        resultaat="call_back",
        terugbellen_datum="2026-11-23",
        terugbellen_tijd="10:30",
    )
    asked, _ = await resident(
        sessions, "2", purpose=AttemptPurpose.CALLBACK, callback_requested_at=NOW
    )
    clock.now = datetime(2026, 11, 23, 10, 31, tzinfo=ZONE)
    assert await take_next(web) == client_id
    colleague = await agent(app_factory, sessions, "b@gemeente.example")
    assert await take_next(colleague) == asked


async def test_a_form_sent_after_the_session_ended_says_so_and_leads_back(
    app_factory, sessions, clock
):
    client_id, follow_up_id = await resident(sessions, "1")
    web = await agent(app_factory, sessions)
    await take_next(web)
    card = f"/belwachtrij/inwoners/{client_id}"
    html = await (await web.get(card)).text()
    token = re.search(r'name="csrf" value="([^"]*)"', html)[1]
    clock.now = MONDAY + timedelta(hours=10)  # the working day's session has ended
    answer = await web.post(
        card + "/afronden",
        data={"csrf": token, "follow_up": str(follow_up_id), "resultaat": "active"},
        headers={"Referer": PUBLIC + card},
        allow_redirects=False,
    )
    assert answer.status == 401
    page = await answer.text()
    assert "U bent niet meer ingelogd" in page and "Er is niets opgeslagen" in page
    assert f"/inloggen?terug={card}" in page
    assert await one(sessions, sa.select(Outcome)) is None


async def test_a_form_for_another_residents_follow_up_changes_nothing(app_factory, sessions):
    """The follow-up named in a form must be the card's resident's: a forged or mixed-up
    field cannot record for, or text, someone else."""
    client_id, _ = await resident(sessions, "1")
    _, other_follow_up = await resident(sessions, "2")
    web = await agent(app_factory, sessions)
    await take_next(web)
    card = f"/belwachtrij/inwoners/{client_id}"
    for action, fields in (
        ("/afronden", {"resultaat": "active"}),
        ("/sms", {"tekst": "Hallo"}),
        ("/bellen", {}),
    ):
        answer = await post(web, card + action, {"follow_up": str(other_follow_up)} | fields, card)
        assert answer.status == 409, action
        assert "hoort niet bij deze inwoner" in await answer.text()
    assert await one(sessions, sa.select(Outcome)) is None
    assert await all_of(sessions, sa.select(Attempt).where(Attempt.agent_id.is_not(None))) == []


async def test_the_lists_bel_keeps_the_cards_rules(app_factory, sessions):
    """ "Bel …" in the list is no way around a colleague's lease, or around a call of one's own
    still waiting for its result."""
    client_id, follow_up_id = await resident(sessions, "1")
    first = await agent(app_factory, sessions, "a@gemeente.example")
    second = await agent(app_factory, sessions, "b@gemeente.example")
    assert await take_next(first) == client_id
    call = await one(sessions, sa.select(Attempt.id))
    taken = await post(second, f"/belwachtrij/gesprekken/{call}", {})
    assert taken.headers["Location"] == "/belwachtrij?melding=bij-collega"
    assert await one(sessions, sa.select(Attempt.agent_id)) is None

    await answered_call(sessions, follow_up_id, "a@gemeente.example")
    other, _ = await resident(sessions, "2")
    other_call = await one(sessions, sa.select(Attempt.id).where(Attempt.agent_id.is_(None)))
    skipped = await post(first, f"/belwachtrij/gesprekken/{other_call}", {})
    assert skipped.headers["Location"] == "/belwachtrij?melding=eerst-afronden"
    assert other != client_id


async def test_a_second_click_on_a_result_without_a_call_records_nothing_more(
    app_factory, sessions
):
    client_id, follow_up_id = await resident(sessions, "1")
    web = await agent(app_factory, sessions)
    await take_next(web)
    card = f"/belwachtrij/inwoners/{client_id}"
    html = await (await web.get(card)).text()
    token = re.search(r'name="csrf" value="([^"]*)"', html)[1]
    seen = re.search(r'name="laatste" value="(\d+)"', html)[1]
    fields = {
        "csrf": token,
        "follow_up": str(follow_up_id),
        "laatste": seen,
        "resultaat": "call_back",
        "terugbellen_datum": "2026-11-24",
        "terugbellen_tijd": "11:00",
    }
    first = await web.post(card + "/afronden", data=fields, allow_redirects=False)
    again = await web.post(card + "/afronden", data=fields, allow_redirects=False)
    assert (first.status, again.status) == (303, 409)
    assert "al afgerond" in await again.text()
    assert len(await all_of(sessions, sa.select(WrapUp))) == 1


async def test_after_recording_a_result_the_resident_is_free_for_colleagues(app_factory, sessions):
    web, client_id, follow_up_id, call = await after_a_call(app_factory, sessions)
    answer = await wrap(web, client_id, follow_up_id, call, resultaat="no_answer")
    assert (await web.get(answer.headers["Location"])).status == 200  # the card again
    assert await one(sessions, sa.select(FollowUp.leased_to_id)) is None


async def test_an_agents_own_call_stays_theirs_to_record_after_their_lease_lapsed(
    app_factory, sessions, clock
):
    client_id, follow_up_id = await resident(sessions, "1")
    first = await agent(app_factory, sessions, "a@gemeente.example")
    second = await agent(app_factory, sessions, "b@gemeente.example")
    await take_next(first)
    call = await answered_call(sessions, follow_up_id, "a@gemeente.example")
    clock.now = MONDAY + timedelta(minutes=10)  # the first agent's lease has lapsed
    page = await (await second.get(f"/belwachtrij/inwoners/{client_id}")).text()
    assert 'id="vastleggen"' not in page  # not the second agent's to record
    answer = await wrap(first, client_id, follow_up_id, call, resultaat="active")
    assert answer.status == 303


@pytest.mark.parametrize(("channel", "path"), [("sms", "/sms"), ("call", "/bellen")])
async def test_a_paused_channel_is_refused_on_the_card(app_factory, sessions, channel, path):
    client_id, follow_up_id = await resident(sessions, "1")
    await pause_channel(sessions, channel, paused=True, now=NOW, actor="coordinator")
    web = await agent(app_factory, sessions)
    await take_next(web)
    card = f"/belwachtrij/inwoners/{client_id}"
    form = {"follow_up": str(follow_up_id), "tekst": "Ik bel morgen."}
    answer = await post(web, card + path, form, card)
    assert answer.status == 409
    assert "gepauzeerd" in await answer.text()
    attempt = await one(sessions, sa.select(Attempt))  # only the due call, as it was
    assert (attempt.channel, attempt.agent_id) == (Channel.CALL, None)

    await pause_channel(sessions, channel, paused=False, now=NOW, actor="coordinator")
    assert (await post(web, card + path, form, card)).status == 303


async def test_no_next_resident_while_calls_are_paused(app_factory, sessions):
    await resident(sessions, "1")
    await pause_channel(sessions, "call", paused=True, now=NOW, actor="coordinator")
    web = await agent(app_factory, sessions)
    answer = await post(web, "/belwachtrij/volgende", {})
    assert answer.headers["Location"] == "/belwachtrij?melding=bellen-gepauzeerd"
    async with sessions() as session:
        assert await session.scalar(sa.select(FollowUp.leased_to_id)) is None
    await pause_channel(sessions, "call", paused=False, now=NOW, actor="coordinator")
    assert await take_next(web) is not None
