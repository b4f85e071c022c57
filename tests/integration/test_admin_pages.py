"""`/beheer` over HTTP, on SQLite and PostgreSQL: only admins open it; they add users, set an
agent's phone and disable users, each change audited and listed with the latest records."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.domain import Role
from followup.services.users import add_user
from followup.settings import Settings
from followup.store.staff_tables import AuditRecord, User
from tests.support.rows import NOW
from tests.support.staff import post_form, sign_in
from tests.support.webhooks import Clock, app_for

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PASSWORD = "een lang wachtwoord"
ADMIN = "beheer@gemeente.example"


@pytest.fixture
async def web(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url="http://nabellen.example")
    return await aiohttp_client(app_for(settings, sessions, Clock(MONDAY)))


async def staff(sessions, email: str, role: Role) -> int:
    return await add_user(
        sessions, email=email, role=role, password=PASSWORD, now=NOW, actor="test"
    )


@pytest.fixture
async def admin(web, sessions) -> int:
    admin_id = await staff(sessions, ADMIN, Role.ADMIN)
    assert (await sign_in(web, ADMIN, PASSWORD)).status == 303
    return admin_id


async def user_row(sessions, email: str) -> User | None:
    async with sessions() as session:
        return await session.scalar(sa.select(User).where(User.email == email))


@pytest.mark.parametrize("role", [Role.AGENT, Role.COORDINATOR])
async def test_only_admins_open_the_admin_page(web, sessions, role):
    await staff(sessions, "x@gemeente.example", role)
    await sign_in(web, "x@gemeente.example", PASSWORD)
    refused = await web.get("/beheer")
    assert refused.status == 403
    assert "U heeft geen toegang tot deze pagina" in await refused.text()
    form = {"email": "nieuw@gemeente.example", "rol": "admin", "wachtwoord": PASSWORD}
    assert (await post_form(web, "/beheer/gebruikers", form)).status == 403
    assert await user_row(sessions, "nieuw@gemeente.example") is None


async def test_an_admin_adds_a_user_who_can_then_sign_in(web, sessions, admin, aiohttp_client):
    form = {
        "email": "Nieuw@Gemeente.example",
        "rol": "agent",
        "wachtwoord": "een nieuw lang wachtwoord",
        "telefoon": "06-12345678",
    }
    answer = await post_form(web, "/beheer/gebruikers", form)
    assert answer.headers["Location"] == "/beheer?melding=toegevoegd"
    page = await (await web.get(answer.headers["Location"])).text()
    assert "De gebruiker is toegevoegd." in page and "nieuw@gemeente.example" in page
    assert "+31612345678" in page and "Gebruiker toegevoegd" in page  # the audit trail
    added = await user_row(sessions, "nieuw@gemeente.example")
    assert (added.role, added.phone) == (Role.AGENT, "+31612345678")
    async with sessions() as session:
        audit = await session.scalar(
            sa.select(AuditRecord).where(
                AuditRecord.action == "user_added", AuditRecord.user_id == added.id
            )
        )
    assert (audit.actor, audit.detail) == (ADMIN, {"role": "agent"})
    newcomer = await aiohttp_client(web.server)
    assert (await sign_in(newcomer, "nieuw@gemeente.example", form["wachtwoord"])).status == 303


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"email": ADMIN, "rol": "agent", "wachtwoord": PASSWORD}, "er is al een gebruiker"),
        ({"email": "n@gemeente.example", "rol": "baas", "wachtwoord": PASSWORD}, "Kies een rol."),
        ({"email": "n@gemeente.example", "rol": "agent", "wachtwoord": "kort"}, "minstens 12"),
        ({"email": "geen adres", "rol": "agent", "wachtwoord": PASSWORD}, "geen geldig"),
        (
            {"email": "n@x.example", "rol": "agent", "wachtwoord": PASSWORD, "telefoon": "12"},
            "geen telefoonnummer",
        ),
    ],
)
async def test_a_user_that_cannot_be_added_is_said_why(web, sessions, admin, form, message):
    answer = await post_form(web, "/beheer/gebruikers", form)
    assert answer.status == 400
    page = await answer.text()
    assert message in page.replace("Er is", "er is")
    assert PASSWORD not in page  # the password is never shown back
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


async def test_an_admin_sets_and_removes_an_agents_phone(web, sessions, admin):
    agent_id = await staff(sessions, "a@gemeente.example", Role.AGENT)
    path = f"/beheer/gebruikers/{agent_id}/telefoon"
    answer = await post_form(web, path, {"telefoon": "+31 6 1111 2222"})
    assert answer.headers["Location"] == "/beheer?melding=telefoon"
    assert (await user_row(sessions, "a@gemeente.example")).phone == "+31611112222"
    wrong = await post_form(web, path, {"telefoon": "bel mij"})
    assert wrong.status == 400 and "geen telefoonnummer dat gebeld kan worden" in await wrong.text()
    assert (await user_row(sessions, "a@gemeente.example")).phone == "+31611112222"
    await post_form(web, path, {"telefoon": ""})
    assert (await user_row(sessions, "a@gemeente.example")).phone is None
    async with sessions() as session:
        details = await session.scalars(
            sa.select(AuditRecord.detail).where(AuditRecord.action == "user_phone_changed")
        )
        assert sorted(d["removed"] for d in details) == [False, True]


async def test_an_admin_cannot_disable_themselves_or_nobody(web, sessions, admin):
    mine = await post_form(web, f"/beheer/gebruikers/{admin}/uitzetten")
    assert mine.status == 400 and "eigen account" in await mine.text()
    nobody = await post_form(web, "/beheer/gebruikers/9999/uitzetten")
    assert nobody.status == 400
    assert (await web.get("/beheer")).status == 200  # still signed in


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/beheer/gebruikers", {"email": "n@gemeente.example", "rol": "admin"}),
        ("/beheer/gebruikers/{agent}/uitzetten", {}),
        ("/beheer/gebruikers/{agent}/telefoon", {"telefoon": "0611112222"}),
        ("/wachtwoord", {"huidig": PASSWORD, "nieuw": "x" * 12, "nogmaals": "x" * 12}),
    ],
)
async def test_an_admin_form_without_its_token_or_from_another_site_changes_nothing(
    web, sessions, admin, path, form
):
    agent_id = await staff(sessions, "a@gemeente.example", Role.AGENT)
    path = path.format(agent=agent_id)
    if path == "/beheer/gebruikers":
        form = form | {"wachtwoord": PASSWORD}
    forged = await web.post(path, data=form, allow_redirects=False)
    assert forged.status == 403
    elsewhere = await post_form(web, path, form, headers={"Origin": "https://evil.example"})
    assert elsewhere.status == 403
    async with sessions() as session:
        users = (await session.scalars(sa.select(User).order_by(User.id))).all()
        changes = await session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action.not_in(["user_added", "signed_in"]))
        )
    assert [(u.email, u.disabled_at, u.phone) for u in users] == [
        (ADMIN, None, None),
        ("a@gemeente.example", None, None),
    ]
    assert changes == 0


async def test_disabling_a_user_twice_changes_nothing_the_second_time(web, sessions, admin):
    agent_id = await staff(sessions, "a@gemeente.example", Role.AGENT)
    first = await post_form(web, f"/beheer/gebruikers/{agent_id}/uitzetten")
    assert first.headers["Location"] == "/beheer?melding=uitgezet"
    again = await post_form(web, f"/beheer/gebruikers/{agent_id}/uitzetten")
    assert again.status == 400 and "staat al uit" in await again.text()
    async with sessions() as session:
        disabled = await session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "user_disabled")
        )
    assert disabled == 1
