"""Staff accounts over HTTP, on SQLite and PostgreSQL, tried as an attacker would: sessions
that end on the server, sign-in that waits after a few failures, forms that must come from
this site with their CSRF token (also behind a TLS-terminating proxy), a way back after
signing in that stays on this site, and the headers every page sends."""

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.domain import AttemptPurpose, AttemptState, Channel, Role
from followup.rules.sign_in import IDLE_FOR, VALID_FOR
from followup.rules.sign_in_limits import PER_ACCOUNT, PER_ADDRESS, WINDOW
from followup.services.users import add_user
from followup.settings import Settings
from followup.store.staff_tables import AuditRecord, SignInSession, User
from followup.store.tables import Attempt
from followup.web.cookies import FORM_KEY, SESSION
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up
from tests.support.staff import CSRF, form_token, post_form, sign_in
from tests.support.webhooks import Clock, app_for

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PUBLIC = "http://nabellen.gemeente.example"  # plain HTTP: the test client keeps no Secure cookie
PASSWORD = "een lang wachtwoord"
AGENT = "a@gemeente.example"


@pytest.fixture
def clock():
    return Clock(MONDAY)


async def client_for(sessions, db_url, aiohttp_client, clock, public_url=PUBLIC, **settings):
    config = Settings(_env_file=None, database_url=db_url, public_url=public_url, **settings)
    return await aiohttp_client(app_for(config, sessions, clock))


@pytest.fixture
async def web(sessions, db_url, aiohttp_client, clock):
    return await client_for(sessions, db_url, aiohttp_client, clock)


@pytest.fixture
async def second_browser(sessions, db_url, aiohttp_client, clock, web):
    """Another browser on the same app (its own cookies)."""
    return await aiohttp_client(web.server)


async def user(sessions, email: str = AGENT, role: Role = Role.AGENT) -> int:
    return await add_user(
        sessions,
        email=email,
        role=role,
        password=PASSWORD,
        now=NOW,
        actor="test",
        phone="06-11112222",
    )


async def opens_queue(web, **request) -> bool:
    answer = await web.get("/belwachtrij", allow_redirects=False, **request)
    assert answer.status in (200, 303)
    return answer.status == 200


async def audits(sessions, action: str) -> list[AuditRecord]:
    async with sessions() as session:
        query = sa.select(AuditRecord).where(AuditRecord.action == action)
        return list(await session.scalars(query))


# Sessions


@pytest.mark.parametrize("password", ["fout wachtwoord!", ""])
async def test_a_wrong_password_signs_nobody_in(web, sessions, password):
    await user(sessions)
    answer = await sign_in(web, AGENT, password)
    assert answer.status == 401
    assert "Het e-mailadres of het wachtwoord klopt niet." in await answer.text()
    assert SESSION not in answer.cookies
    assert (await sign_in(web, "x@gemeente.example", PASSWORD)).status == 401


async def test_signing_in_sets_a_guarded_cookie_and_goes_back(web, sessions):
    await user(sessions)
    answer = await sign_in(web, " A@Gemeente.example ", PASSWORD, back="/belwachtrij")
    assert answer.headers["Location"] == "/belwachtrij"
    cookie = answer.cookies[SESSION]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["secure"] and cookie["max-age"] == str(int(VALID_FOR.total_seconds()))
    assert await opens_queue(web)
    [signed] = await audits(sessions, "signed_in")
    assert signed.actor == AGENT
    async with sessions() as session:
        [stored] = await session.scalars(sa.select(SignInSession))
    assert stored.token_hash != cookie.value  # only a hash of the token is kept


@pytest.mark.parametrize(
    "back", ["//evil.example/", "%2F%09%2Fevil.example", "%2F%0A%2Fevil.example", "%2F%5Cevil"]
)
async def test_the_way_back_never_leads_to_another_site(web, sessions, back):
    await user(sessions)
    answer = await sign_in(web, AGENT, PASSWORD, back=back)
    assert answer.status == 303 and answer.headers["Location"] == "/"


async def test_after_signing_out_the_old_cookie_opens_nothing(web, sessions):
    await user(sessions)
    old = (await sign_in(web, AGENT, PASSWORD)).cookies[SESSION].value
    out = await post_form(web, "/uitloggen")
    assert out.status == 303 and out.headers["Location"] == "/inloggen"
    assert not await opens_queue(web)
    # The cookie copied before signing out, sent again: the session ended on the server.
    web.session.cookie_jar.clear()
    assert not await opens_queue(web, headers={"Cookie": f"{SESSION}={old}"})


async def test_a_forged_or_garbled_cookie_opens_nothing(web, sessions):
    await user(sessions)
    await sign_in(web, AGENT, PASSWORD)
    web.session.cookie_jar.clear()
    for value in ("1.99999999999.abc", "", "x" * 43, "ééé"):
        assert not await opens_queue(web, headers={"Cookie": f"{SESSION}={value}"})


async def test_a_session_lapses_after_a_working_day_and_after_an_idle_hour(web, sessions, clock):
    await user(sessions)
    await sign_in(web, AGENT, PASSWORD)
    for _ in range(int(VALID_FOR / (IDLE_FOR / 2))):  # used every half hour all day
        assert await opens_queue(web)
        clock.now += IDLE_FOR / 2
    assert not await opens_queue(web)
    await sign_in(web, AGENT, PASSWORD)
    clock.now += IDLE_FOR
    assert not await opens_queue(web)


async def test_disabling_a_user_ends_all_their_sessions_at_once(
    web, second_browser, sessions, aiohttp_client
):
    await user(sessions)
    await user(sessions, "beheer@gemeente.example", Role.ADMIN)
    await sign_in(web, AGENT, PASSWORD)
    phone = await aiohttp_client(web.server)
    await sign_in(phone, AGENT, PASSWORD)
    await sign_in(second_browser, "beheer@gemeente.example", PASSWORD)
    assert await opens_queue(web) and await opens_queue(phone)
    agent_id = await _user_id(sessions, AGENT)
    answer = await post_form(second_browser, f"/beheer/gebruikers/{agent_id}/uitzetten")
    assert answer.headers["Location"] == "/beheer?melding=uitgezet"
    assert not await opens_queue(web) and not await opens_queue(phone)
    async with sessions() as session:
        ended = await session.scalars(
            sa.select(SignInSession.ended_at).where(SignInSession.user_id == agent_id)
        )
        assert all(at is not None for at in ended)
    assert (await sign_in(web, AGENT, PASSWORD)).status == 401
    [disabled] = await audits(sessions, "user_disabled")
    assert (disabled.actor, disabled.user_id) == ("beheer@gemeente.example", agent_id)


async def test_changing_ones_password_ends_ones_other_sessions(web, second_browser, sessions):
    await user(sessions)
    await sign_in(web, AGENT, PASSWORD)
    await sign_in(second_browser, AGENT, PASSWORD)
    new = "een ander lang wachtwoord"
    answer = await post_form(
        web, "/wachtwoord", {"huidig": PASSWORD, "nieuw": new, "nogmaals": new}
    )
    assert answer.headers["Location"] == "/wachtwoord?gewijzigd"
    assert "Uw wachtwoord is gewijzigd." in await (await web.get("/wachtwoord?gewijzigd")).text()
    assert await opens_queue(web)  # where it was changed
    assert not await opens_queue(second_browser)  # everywhere else: signed out
    assert (await sign_in(second_browser, AGENT, PASSWORD)).status == 401
    assert (await sign_in(second_browser, AGENT, new)).status == 303
    assert len(await audits(sessions, "password_changed")) == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"huidig": "niet het wachtwoord", "nieuw": "x" * 12, "nogmaals": "x" * 12}, "klopt niet"),
        ({"huidig": PASSWORD, "nieuw": "x" * 12, "nogmaals": "y" * 12}, "niet gelijk"),
        ({"huidig": PASSWORD, "nieuw": "kort", "nogmaals": "kort"}, "minstens 12 tekens"),
    ],
)
async def test_a_password_is_changed_only_with_the_old_one_and_a_good_new_one(
    web, sessions, form, message
):
    await user(sessions)
    await sign_in(web, AGENT, PASSWORD)
    answer = await post_form(web, "/wachtwoord", form)
    assert answer.status == 400 and message in await answer.text()
    assert await audits(sessions, "password_changed") == []


# Limits


async def test_sign_in_waits_after_a_few_wrong_passwords_even_for_the_right_one(
    web, sessions, clock
):
    await user(sessions)
    for _ in range(PER_ACCOUNT - 1):
        assert (await sign_in(web, AGENT, "geraden wachtwoord")).status == 401
    locked = await sign_in(web, AGENT, "geraden wachtwoord")
    assert locked.status == 429
    assert "Wacht 15 minuten en probeer het dan opnieuw." in await locked.text()
    right = await sign_in(web, AGENT, PASSWORD)
    assert right.status == 429 and SESSION not in right.cookies
    [audit] = await audits(sessions, "sign_in_locked")
    assert audit.actor == AGENT and audit.detail["limit"] == "account"
    clock.now += WINDOW
    assert (await sign_in(web, AGENT, PASSWORD)).status == 303


async def test_many_wrong_passwords_at_once_are_checked_no_more_than_the_limit(web, sessions):
    """The attack that was found: hundreds of guesses in seconds, then the right password.
    Guesses sent together are each counted before any is checked, so at most the limit are
    checked, however they are sent; the one that reaches it starts the wait."""
    await user(sessions)
    checked = 0
    for burst in range(3):
        guesses = (sign_in(web, AGENT, f"gok {burst}-{n}") for n in range(30))
        statuses = [answer.status for answer in await asyncio.gather(*guesses)]
        assert set(statuses) <= {401, 429}
        checked += statuses.count(401)
    for n in range(PER_ACCOUNT):
        status = (await sign_in(web, AGENT, f"gok {n}")).status
        if status == 429:
            break
        checked += 1
    assert status == 429 and checked < PER_ACCOUNT
    assert (await sign_in(web, AGENT, PASSWORD)).status == 429


async def test_one_address_trying_many_accounts_waits_too(web, sessions):
    await user(sessions)
    for n in range(PER_ADDRESS - 1):
        assert (
            await sign_in(web, f"iemand{n}@gemeente.example", "geraden wachtwoord")
        ).status == 401
    assert (await sign_in(web, "nog@gemeente.example", "geraden wachtwoord")).status == 429
    assert (await sign_in(web, AGENT, PASSWORD)).status == 429
    [audit] = await audits(sessions, "sign_in_locked")
    assert audit.detail["limit"] == "address"


async def _fail_from(web, address: str, times: int) -> list[int]:
    headers = {"X-Forwarded-For": f"203.0.113.9, {address}"}
    return [
        (await sign_in(web, f"p{n}@gemeente.example", "geraden", headers=headers)).status
        for n in range(times)
    ]


async def test_behind_a_trusted_proxy_each_client_address_counts_apart(
    sessions, db_url, aiohttp_client, clock
):
    web = await client_for(sessions, db_url, aiohttp_client, clock, trust_forwarded_for=True)
    assert (await _fail_from(web, "198.51.100.1", PER_ADDRESS))[-1] == 429
    assert set(await _fail_from(web, "198.51.100.2", 2)) == {401}  # another resident's office


async def test_without_trusting_the_proxy_its_header_is_ignored(web, sessions):
    assert (await _fail_from(web, "198.51.100.1", PER_ADDRESS - 1))[-1] == 401
    assert (await _fail_from(web, "198.51.100.2", 1)) == [429]  # the same connection


# Forms from this site only


async def test_a_staff_form_without_its_token_is_refused(web, second_browser, sessions):
    await user(sessions, role=Role.COORDINATOR)
    await sign_in(web, AGENT, PASSWORD)
    await sign_in(second_browser, "x@gemeente.example", PASSWORD)  # has a token of its own
    form = {"keuze": "gelezen"}
    path = "/belwachtrij/antwoorden/1"
    for data in (
        form,
        {**form, "csrf": "verzonnen"},
        {**form, "csrf": await form_token(second_browser)},
    ):
        refused = await web.post(path, data=data)
        assert refused.status == 403
        page = await refused.text()
        assert "Dit formulier is verlopen" in page and "Laad de pagina opnieuw" in page
    # A script sends the token in a header; it is checked, then the handler runs.
    token = await form_token(web)
    by_script = await web.post(
        path, data=form, headers={"X-CSRF-Token": token}, allow_redirects=False
    )
    assert by_script.status == 303


async def test_sign_in_and_out_need_the_forms_token(web, sessions):
    await user(sessions)
    assert (
        await web.post("/inloggen", data={"email": AGENT, "wachtwoord": PASSWORD})
    ).status == 403
    assert await audits(sessions, "signed_in") == []
    await sign_in(web, AGENT, PASSWORD)
    assert (await web.post("/uitloggen", allow_redirects=False)).status == 403
    assert await opens_queue(web)


async def test_a_page_without_a_form_sets_no_cookie(web):
    assert FORM_KEY not in (await web.get("/")).cookies
    assert FORM_KEY in (await web.get("/inloggen")).cookies


async def test_a_form_from_another_site_is_refused_even_with_a_token(web, sessions):
    await user(sessions)
    for origin in ("https://evil.example", "null", "http://127.0.0.1"):
        answer = await sign_in(web, AGENT, PASSWORD, headers={"Origin": origin})
        assert answer.status == 403
        assert "Dit formulier komt niet van deze website" in await answer.text()
    assert (await sign_in(web, AGENT, PASSWORD, headers={"Origin": PUBLIC})).status == 303


async def test_the_response_page_takes_a_form_with_origin_null(web):
    """Chromium sends `Origin: null` from it (no referrer); its link is its key."""
    answer = await web.post(
        "/antwoord/1.20270101.x", data={"keuze": "1"}, headers={"Origin": "null"}
    )
    assert answer.status == 404  # the link is checked, not the origin


async def test_behind_a_tls_proxy_the_browsers_https_origin_is_ours(
    sessions, db_url, aiohttp_client, clock
):
    """The proxy ends TLS and passes plain HTTP on; the browser's Origin is https://…"""
    public = "https://nabellen.gemeente.example"
    web = await client_for(sessions, db_url, aiohttp_client, clock, public_url=public)
    await user(sessions)
    proxied = {
        "Host": "nabellen.gemeente.example",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "198.51.100.7",
        "Origin": public,
    }
    # The test client keeps no Secure cookie over plain HTTP: carry them as the browser does.
    first = await web.get("/inloggen", headers=proxied)
    form_key = first.cookies[FORM_KEY]
    assert form_key["secure"]
    cookies = {"Cookie": f"{FORM_KEY}={form_key.value}"}
    token = CSRF.search(await first.text())[1]
    signed = await web.post(
        "/inloggen",
        data={"email": AGENT, "wachtwoord": PASSWORD, "csrf": token},
        headers=proxied | cookies,
        allow_redirects=False,
    )
    assert signed.status == 303 and signed.cookies[SESSION]["secure"]
    session = {"Cookie": f"{SESSION}={signed.cookies[SESSION].value}"}
    assert await opens_queue(web, headers=proxied | session)
    page = await (await web.get("/inloggen", headers=proxied | session)).text()
    token = CSRF.search(page)[1]
    as_http = await web.post(
        "/uitloggen",
        data={"csrf": token},
        headers=proxied | session | {"Origin": "http://nabellen.gemeente.example"},
        allow_redirects=False,
    )
    assert as_http.status == 403  # what the request's own scheme would have let through
    out = await web.post(
        "/uitloggen", data={"csrf": token}, headers=proxied | session, allow_redirects=False
    )
    assert out.status == 303
    assert not await opens_queue(web, headers=proxied | session)


# Headers


async def test_every_page_forbids_frames_inline_script_and_sniffing(web):
    for path in ("/", "/inloggen", "/static/style.css", "/nergens"):
        headers = (await web.get(path)).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "form-action 'self'" in policy and "base-uri 'none'" in policy
        assert "unsafe-inline" not in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    response_page = await web.get("/antwoord/1.20270101.x")
    assert response_page.headers["Referrer-Policy"] == "no-referrer"


# The queue


async def _attempt(sessions, **values) -> int:
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, "1")
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        attempt = await add_attempt(
            session,
            follow_up.id,
            state=AttemptState.QUEUED,
            sent_at=None,
            tries=0,
            purpose=AttemptPurpose.CALL,
            **values,
        )
        return attempt.id


@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param({"channel": Channel.EMAIL, "due_at": NOW}, id="an-email"),
        pytest.param(
            {"channel": Channel.CALL, "due_at": MONDAY + timedelta(hours=1)}, id="not-due"
        ),
    ],
)
async def test_an_agent_takes_only_a_call_that_waits_for_an_agent(web, sessions, attempt):
    attempt_id = await _attempt(sessions, **attempt)
    await user(sessions)
    await sign_in(web, AGENT, PASSWORD)
    answer = await post_form(web, f"/belwachtrij/gesprekken/{attempt_id}")
    assert answer.headers["Location"].startswith("/belwachtrij?melding=")
    async with sessions() as session:
        taken = await session.scalar(sa.select(Attempt.agent_id).where(Attempt.id == attempt_id))
    assert taken is None
    assert await audits(sessions, "call_taken") == []


async def test_the_queue_shows_only_its_own_notices(web, sessions):
    await user(sessions)
    await sign_in(web, AGENT, PASSWORD)
    made_up = await (await web.get("/belwachtrij?melding=Bel+nu+0900-1234")).text()
    assert "0900-1234" not in made_up and 'role="alert"' not in made_up
    known = await (await web.get("/belwachtrij?melding=al-gelezen")).text()
    assert "Dit antwoord is al door een collega gelezen." in known


async def _user_id(sessions, email: str) -> int:
    async with sessions() as session:
        return await session.scalar(sa.select(User.id).where(User.email == email))
