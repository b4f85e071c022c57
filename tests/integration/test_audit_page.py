"""`/beheer/audit` over HTTP, on SQLite and PostgreSQL: admins read the audit trail filtered
and a page at a time, with client numbers; reading one resident's trail is itself recorded;
a bad filter gets a Dutch message and 400; the chain check runs when asked."""

import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from followup.rules.domain import AuditAction, Role
from followup.services.audit_trail import PAGE_SIZE
from followup.settings import Settings
from followup.store.audit import record_audit
from followup.store.staff_tables import AuditRecord
from tests.integration.test_admin_pages import ADMIN, MONDAY, PASSWORD, staff
from tests.support.rows import NOW, add_client
from tests.support.staff import post_form, sign_in
from tests.support.webhooks import Clock, app_for


@pytest.fixture
async def web(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url="http://nabellen.example")
    return await aiohttp_client(app_for(settings, sessions, Clock(MONDAY)))


@pytest.fixture
async def admin(web, sessions) -> int:
    admin_id = await staff(sessions, ADMIN, Role.ADMIN)
    assert (await sign_in(web, ADMIN, PASSWORD)).status == 303
    return admin_id


async def write(sessions, action: AuditAction, *, actor="agent@gemeente.example", **values):
    async with sessions() as session:
        record_audit(session, now=values.pop("now", NOW), actor=actor, action=action, **values)
        await session.commit()


async def resident(sessions, ref: str) -> int:
    async with sessions() as session, session.begin():
        return (await add_client(session, ref))[0]


async def test_only_admins_read_the_trail(web, sessions):
    await staff(sessions, "coord@gemeente.example", Role.COORDINATOR)
    await sign_in(web, "coord@gemeente.example", PASSWORD)
    assert (await web.get("/beheer/audit")).status == 403
    assert (await post_form(web, "/beheer/audit/controleren")).status == 403


async def test_the_trail_shows_who_opened_which_resident_by_client_number(
    web,
    sessions,
    admin,
):
    k7 = await resident(sessions, "K-7")
    await write(sessions, AuditAction.CARD_OPENED, client_id=k7)
    page = await web.get("/beheer/audit")
    assert page.status == 200
    text = await page.text()
    assert "Kaart van inwoner geopend" in text and "K-7" in text
    assert "agent@gemeente.example" in text
    assert "De controlelijst is nog niet gecontroleerd." in text


async def test_filters_narrow_the_trail(web, sessions, admin):
    k1, k2 = await resident(sessions, "K-1"), await resident(sessions, "K-2")
    await write(sessions, AuditAction.CARD_OPENED, client_id=k1, now=NOW - timedelta(days=3))
    await write(sessions, AuditAction.CONTACT_CHANGED, client_id=k2, actor="ander@gemeente.example")
    await write(sessions, AuditAction.PLANNING_CHANGED, actor="coord@gemeente.example")

    async def shown(query: str) -> list[str]:
        answer = await web.get(f"/beheer/audit?{query}")
        assert answer.status == 200
        table = (await answer.text()).partition('id="audit"')[2]  # not the select's options
        labels = ("Kaart van", "Contactgegevens gewijzigd", "Planning gewijzigd")
        return [label for label in labels if f">{label}" in table]

    assert await shown("actie=contact_changed") == ["Contactgegevens gewijzigd"]
    assert await shown("wie=Coord@Gemeente.example") == ["Planning gewijzigd"]
    day = NOW.date()
    assert await shown(f"van={day - timedelta(days=3):%d-%m-%Y}&tot={day - timedelta(days=1)}") == [
        "Kaart van"
    ]
    assert await shown("klantnummer=K-2") == ["Contactgegevens gewijzigd"]


async def test_reading_one_residents_trail_is_recorded(web, sessions, admin):
    k3 = await resident(sessions, "K-3")
    await web.get("/beheer/audit?klantnummer=K-3&actie=card_opened")
    await web.get("/beheer/audit")  # the whole trail: not about one resident
    async with sessions() as session:
        viewed = (
            await session.execute(
                sa.select(AuditRecord.actor, AuditRecord.client_id, AuditRecord.detail).where(
                    AuditRecord.action == AuditAction.AUDIT_VIEWED
                )
            )
        ).all()
    assert viewed == [(ADMIN, k3, {"filter": {"actie": "card_opened"}, "before": None})]


async def test_an_unknown_client_number_says_so(web, sessions, admin):
    answer = await web.get("/beheer/audit?klantnummer=K-404")
    assert answer.status == 200
    assert "Er is geen inwoner met klantnummer K-404." in await answer.text()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("actie=alles_gewist", "Kies een soort handeling uit de lijst."),
        ("van=31-02-2026", "'Vanaf' is geen datum. Schrijf de datum als dd-mm-jjjj."),
        ("tot=gisteren", "'Tot en met' is geen datum."),
        ("van=2026-11-05&tot=2026-11-01", "De datum 'Vanaf' ligt na de datum 'Tot en met'."),
        ("voor=abc", "Deze pagina bestaat niet."),
    ],
)
async def test_a_bad_filter_is_refused_in_dutch(web, sessions, admin, query, message):
    answer = await web.get(f"/beheer/audit?{query}")
    assert answer.status == 400
    assert message in html.unescape(await answer.text())


async def test_older_records_come_a_page_at_a_time(web, sessions, admin):
    # Signing in the admin wrote records too: count only these.
    for n in range(PAGE_SIZE + 5):
        await write(sessions, AuditAction.QUEUE_VIEWED, actor=f"a{n}@gemeente.example")
    first = await (await web.get("/beheer/audit?actie=queue_viewed")).text()
    assert f"a{PAGE_SIZE + 4}@gemeente.example" in first and "a4@gemeente.example" not in first
    older = first.split('id="ouder"')[0].rsplit('href="', 1)[1].split('"')[0]
    older = older.replace("&amp;", "&")
    second = await (await web.get(older)).text()
    assert "actie=queue_viewed" in older
    assert "a4@gemeente.example" in second and "a0@gemeente.example" in second
    assert f"a{PAGE_SIZE + 4}@gemeente.example" not in second
    assert 'id="ouder"' not in second


async def test_the_chain_is_checked_when_an_admin_asks(web, sessions, admin):
    await write(sessions, AuditAction.QUEUE_VIEWED)
    answer = await post_form(web, "/beheer/audit/controleren")
    assert (answer.status, answer.headers["Location"]) == (303, "/beheer/audit")
    assert "de controlelijst is heel" in await (await web.get("/beheer/audit")).text()

    async with sessions() as session, session.begin():
        await session.execute(sa.update(AuditRecord).where(AuditRecord.seq == 1).values(actor="x"))
    await post_form(web, "/beheer/audit/controleren")
    text = await (await web.get("/beheer/audit")).text()
    assert "de controlelijst is gebroken bij regel 1: de inhoud is veranderd." in text
