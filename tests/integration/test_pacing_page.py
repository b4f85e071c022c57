"""`/tempo` over HTTP, on SQLite and PostgreSQL: coordinators and admins set the weekly
numbers, hold a wijk and pause a channel; each change is audited, bad input changes nothing
and says which setting to fix; agents and strangers are refused."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.domain import Channel, Role
from followup.rules.pacing import Pacing
from followup.services.pacing import load_pacing
from followup.services.users import add_user
from followup.settings import Settings
from followup.store.staff_tables import AuditRecord
from tests.support.rows import NOW, add_client
from tests.support.staff import post_form, sign_in
from tests.support.webhooks import Clock, app_for

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PASSWORD = "een lang wachtwoord"
COORDINATOR = "coordinator@gemeente.example"


@pytest.fixture
async def web(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url="http://nabellen.example")
    async with sessions() as session, session.begin():
        for n, wijk in enumerate(["Selwerd", "Selwerd", "Beijum", "Oost"]):
            await add_client(session, str(n), wijk, date(2026, 1, 1 + n))
    return await aiohttp_client(app_for(settings, sessions, Clock(MONDAY)))


async def signed_in_as(web, sessions, email: str, role: Role) -> None:
    await add_user(sessions, email=email, role=role, password=PASSWORD, now=NOW, actor="test")
    assert (await sign_in(web, email, PASSWORD)).status == 303


@pytest.fixture
async def coordinator(web, sessions):
    await signed_in_as(web, sessions, COORDINATOR, Role.COORDINATOR)


async def changes(sessions) -> list[tuple[str, dict]]:
    async with sessions() as session:
        rows = await session.execute(
            sa.select(AuditRecord.action, AuditRecord.detail)
            .where(AuditRecord.action.not_in(["user_added", "signed_in"]))
            .order_by(AuditRecord.id)
        )
        return [(action, detail) for action, detail in rows]


async def test_the_page_shows_who_waits_per_wijk_and_the_queue_per_channel(web, coordinator):
    page = await (await web.get("/tempo")).text()
    assert "Tempo" in page and "Aantallen opslaan" in page
    for wijk in ("Beijum", "Oost", "Selwerd"):
        assert f"{wijk} laten wachten" in page
    assert "deze week" in page  # no limits: everyone begins at once
    for label in ("Sms pauzeren", "E-mail pauzeren", "Bellen pauzeren"):
        assert label in page
    assert "Pauzeren betekent: er gaan geen sms&#39;jes meer weg" in page


async def test_a_coordinator_sets_holds_and_pauses_each_change_audited(web, sessions, coordinator):
    steps = [
        ("/tempo/aantallen", {"totaal": "250", "per-wijk": " 100 "}, "aantallen"),
        ("/tempo/wijk/aantal", {"wijk": "Oost", "aantal": "20"}, "wijkgrens"),
        ("/tempo/wijk/vasthouden", {"wijk": "Selwerd"}, "vastgehouden"),
        ("/tempo/kanaal/pauzeren", {"kanaal": "sms"}, "gepauzeerd"),
    ]
    for path, form, notice in steps:
        answer = await post_form(web, path, form)
        assert answer.status == 303
        assert answer.headers["Location"] == f"/tempo?melding={notice}"
    page = await (await web.get("/tempo?melding=gepauzeerd")).text()
    assert "Het kanaal is gepauzeerd." in page
    assert "Sms hervatten" in page and "Selwerd vrijgeven" in page
    assert "pas na vrijgeven" in page
    assert await load_pacing(sessions) == Pacing(
        weekly_total=250,
        weekly_per_wijk=100,
        wijk_limits={"Oost": 20},
        held_wijken={"Selwerd"},
        paused_channels={Channel.SMS},
    )
    assert await changes(sessions) == [
        (
            "pacing_limits_changed",
            {
                "weekly_total": 250,
                "weekly_per_wijk": 100,
                "before": {"weekly_total": None, "weekly_per_wijk": None},
            },
        ),
        (
            "pacing_limits_changed",
            {"wijk": "Oost", "weekly": 20, "before": {"wijk_limits": {}}},
        ),
        ("wijk_held", {"wijk": "Selwerd", "before": {"held_wijken": []}}),
        ("channel_paused", {"channel": "sms", "before": {"paused_channels": []}}),
    ]
    async with sessions() as session:
        who = set(
            await session.execute(
                sa.select(AuditRecord.actor, AuditRecord.user_id).where(
                    AuditRecord.action.like("%chan%") | AuditRecord.action.like("%wijk%")
                )
            )
        )
    assert len(who) == 1 and next(iter(who))[0] == COORDINATOR
    assert next(iter(who))[1] is not None  # the user, not only their address

    for path, form in [
        ("/tempo/wijk/vrijgeven", {"wijk": "Selwerd"}),
        ("/tempo/kanaal/hervatten", {"kanaal": "sms"}),
        ("/tempo/aantallen", {"totaal": "", "per-wijk": ""}),
        ("/tempo/wijk/aantal", {"wijk": "Oost", "aantal": ""}),
    ]:
        assert (await post_form(web, path, form)).status == 303
    assert await load_pacing(sessions) == Pacing()


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("/tempo/aantallen", {"totaal": "-5"}, "Nieuwe inwoners per week, in totaal: vul een"),
        ("/tempo/aantallen", {"per-wijk": "2,5"}, "Nieuwe inwoners per week, per wijk: vul een"),
        ("/tempo/aantallen", {"totaal": "99999999"}, "in totaal: dat is te veel"),
        ("/tempo/wijk/aantal", {"wijk": "Oost", "aantal": "tien"}, "per week in Oost: vul een"),
        ("/tempo/wijk/aantal", {"wijk": "Atlantis", "aantal": "3"}, "er is geen wijk"),
        (
            "/tempo/wijk/vasthouden",
            {"wijk": "Atlantis"},
            "Wijk: er is geen wijk &#39;Atlantis&#39;",
        ),
        ("/tempo/kanaal/pauzeren", {"kanaal": "fax"}, "Kanaal: kies bellen, sms of e-mail."),
        ("/tempo/kanaal/pauzeren", {}, "Kanaal: kies"),
    ],
)
async def test_bad_input_names_the_setting_and_changes_nothing(
    web, sessions, coordinator, path, form, message
):
    answer = await post_form(web, path, form)
    assert answer.status == 400
    page = await answer.text()
    assert message in page and "Er is niets veranderd." in page
    assert await load_pacing(sessions) == Pacing()
    assert await changes(sessions) == []


async def test_what_was_typed_stays_in_the_form_after_a_refusal(web, coordinator):
    answer = await post_form(web, "/tempo/aantallen", {"totaal": "veel", "per-wijk": "12"})
    page = await answer.text()
    assert 'id="totaal" name="totaal"' in page and 'value="veel"' in page
    assert 'value="12"' in page
    answer = await post_form(web, "/tempo/wijk/aantal", {"wijk": "Oost", "aantal": "-1"})
    page = await answer.text()
    assert "<option selected>Oost</option>" in page and 'value="-1"' in page


async def test_an_admin_may_change_the_tempo_too(web, sessions):
    await signed_in_as(web, sessions, "beheer@gemeente.example", Role.ADMIN)
    assert (await web.get("/tempo")).status == 200
    answer = await post_form(web, "/tempo/kanaal/pauzeren", {"kanaal": "call"})
    assert answer.status == 303
    assert (await load_pacing(sessions)).paused_channels == {Channel.CALL}


async def test_agents_are_refused_and_strangers_sent_to_sign_in(web, sessions):
    anonymous = await web.get("/tempo", allow_redirects=False)
    assert anonymous.status == 303
    assert anonymous.headers["Location"].startswith("/inloggen?terug=")
    await signed_in_as(web, sessions, "a@gemeente.example", Role.AGENT)
    assert (await web.get("/tempo")).status == 403
    answer = await post_form(web, "/tempo/kanaal/pauzeren", {"kanaal": "sms"})
    assert answer.status == 403
    assert await load_pacing(sessions) == Pacing()


async def test_a_form_without_its_token_or_from_another_site_changes_nothing(
    web, sessions, coordinator
):
    form = {"kanaal": "sms"}
    forged = await web.post("/tempo/kanaal/pauzeren", data=form, allow_redirects=False)
    assert forged.status == 403
    wrong = await web.post(
        "/tempo/kanaal/pauzeren", data=form | {"csrf": "x" * 40}, allow_redirects=False
    )
    assert wrong.status == 403
    elsewhere = await post_form(
        web, "/tempo/kanaal/pauzeren", form, headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status == 403
    assert await load_pacing(sessions) == Pacing()
    assert await changes(sessions) == []


async def test_the_queue_page_leads_coordinators_to_the_tempo(web, coordinator):
    assert 'href="/tempo"' in await (await web.get("/belwachtrij")).text()
