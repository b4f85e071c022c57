"""`/planning` over HTTP, on SQLite and PostgreSQL: coordinators and admins change the planning
settings with the checks and messages of `followup planning set`; a refused form keeps what
was typed and changes nothing; a form a colleague overtook is refused; each change audited."""

from datetime import datetime, time
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.app_keys import RULES
from followup.rules.domain import Role
from followup.rules.planning_rules import PlanningRules, StepSpec, WindowSpec
from followup.services.planning_settings import PLANNING_KEY, load_rules
from followup.services.users import add_user
from followup.settings import Settings
from followup.store.staff_tables import AppSetting, AuditRecord
from tests.support.rows import NOW
from tests.support.staff import post_form, sign_in
from tests.support.webhooks import Clock, app_for

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PASSWORD = "een lang wachtwoord"
COORDINATOR = "coordinator@gemeente.example"
PATH = "/planning"


class _Form(HTMLParser):
    """The fields a browser would send for the page's planning form, as it shows them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post" and not attrs.get("action"):
            self._in_form = True
        elif not self._in_form:
            return
        elif tag == "input" and (
            attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs
        ):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and "selected" in attrs:
            self.fields[self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def form_fields(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


@pytest.fixture
async def web(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url="http://nabellen.example")
    return await aiohttp_client(app_for(settings, sessions, Clock(MONDAY)))


async def signed_in_as(web, sessions, email: str = COORDINATOR, role: Role = Role.COORDINATOR):
    await add_user(sessions, email=email, role=role, password=PASSWORD, now=NOW, actor="test")
    assert (await sign_in(web, email, PASSWORD)).status == 303


async def shown(web) -> dict[str, str]:
    page = await web.get(PATH)
    assert page.status == 200
    return form_fields(await page.text())


async def send(web, fields: dict[str, str]):
    return await web.post(PATH, data=fields, allow_redirects=False)


async def stored(sessions) -> tuple[str | None, list[tuple[str, dict]]]:
    """The stored planning settings and the audit records of changes to them."""
    async with sessions() as session:
        value = await session.scalar(
            sa.select(AppSetting.value).where(AppSetting.key == PLANNING_KEY)
        )
        audited = await session.execute(
            sa.select(AuditRecord.actor, AuditRecord.detail)
            .where(AuditRecord.action == "planning_changed")
            .order_by(AuditRecord.id)
        )
        return value, [tuple(row) for row in audited]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
async def test_coordinators_and_admins_see_the_settings_and_the_link(web, sessions, role):
    await signed_in_as(web, sessions, role=role)
    page = await (await web.get(PATH)).text()
    assert 'href="/planning"' in page
    assert "Een wijziging geldt voor rondes die daarna beginnen" in page
    assert "Een ronde duurt zoveel dagen" in page
    fields = form_fields(page)
    assert fields["round_days"] == "14" and fields["call_window.start"] == "09:00"
    assert fields["ladder.4.kind"] == "call" and fields["ladder.4.part"] == "evening"
    assert "call_window.days.sat" not in fields and "message_window.days.sat" in fields
    assert fields["ladder.5.kind"] == "" and fields["ladder.6.day"] == ""  # room for new steps


async def test_agents_and_strangers_are_refused_and_change_nothing(web, sessions):
    anonymous = await web.get(PATH, allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"].startswith("/inloggen")
    await signed_in_as(web, sessions, "a@gemeente.example", Role.AGENT)
    assert (await web.get(PATH)).status == 403
    assert 'href="/planning"' not in await (await web.get("/wachtwoord")).text()
    assert (await post_form(web, PATH, {"rounds": "5"})).status == 403
    assert await stored(sessions) == (None, [])


async def test_a_form_without_its_token_or_from_another_site_changes_nothing(web, sessions):
    await signed_in_as(web, sessions)
    fields = await shown(web) | {"rounds": "5"}
    forged = {name: value for name, value in fields.items() if name != "csrf"}
    assert (await send(web, forged)).status == 403
    elsewhere = await web.post(
        PATH, data=fields, headers={"Origin": "https://evil.example"}, allow_redirects=False
    )
    assert elsewhere.status == 403
    assert await stored(sessions) == (None, [])


async def test_every_setting_is_saved_as_typed_and_shown_again_audited(web, sessions):
    await signed_in_as(web, sessions)
    fields = await shown(web)
    for day in ("mon", "tue", "wed", "thu", "fri", "sat"):
        del fields[f"message_window.days.{day}"]
    del fields["call_window.days.fri"]
    fields |= {
        "rounds": "3",
        "round_days": "21",
        "round_gap_days": "7",
        "message_window.days.tue": "ja",
        "message_window.days.sun": "ja",
        "message_window.start": "08:00",
        "message_window.end": "21:30",
        "call_window.start": "08:30",
        "call_window.end": "21:00",
        "day_parts.morning": "10:00",
        "day_parts.afternoon": "13:30",
        "day_parts.evening": "19:00",
        "max_contacts_per_day": "3",
        "max_contacts_per_week": "6",
        "call_times": "learned",
        "announce_calls": "false",
        "ladder.1.day": "2",
        "ladder.3.remove": "ja",  # the reminder goes
        # A new step, typed in the first empty row though it comes before step 4.
        "ladder.5.kind": "call",
        "ladder.5.day": "3",
        "ladder.5.part": "afternoon",
    }
    answer = await send(web, fields)
    assert (answer.status, answer.headers["Location"]) == (303, PATH + "?opgeslagen=1")

    expected = PlanningRules(
        rounds=3,
        round_days=21,
        round_gap_days=7,
        message_window=WindowSpec(days=["tue", "sun"], start=time(8), end=time(21, 30)),
        call_window=WindowSpec(days=["mon", "tue", "wed", "thu"], start=time(8, 30), end=time(21)),
        day_parts={"morning": time(10), "afternoon": time(13, 30), "evening": time(19)},
        ladder=[
            StepSpec(kind="message", day=0, part="first"),
            StepSpec(kind="call", day=2, part="morning"),
            StepSpec(kind="call", day=2, part="afternoon"),
            StepSpec(kind="call", day=3, part="afternoon"),
            StepSpec(kind="call", day=4, part="evening"),
        ],
        max_contacts_per_day=3,
        max_contacts_per_week=6,
        call_times="learned",
        announce_calls=False,
    )
    assert await load_rules(sessions) == expected
    assert await web.server.app[RULES].get() == expected  # this process plans with them now
    _, audited = await stored(sessions)
    assert audited == [(COORDINATOR, expected.model_dump(mode="json"))]

    page = await (await web.get(answer.headers["Location"])).text()
    assert "De instellingen zijn opgeslagen." in page
    again = form_fields(page)
    assert again["ladder.3.kind"] == "call" and again["ladder.3.part"] == "afternoon"
    assert "ladder.5.kind" in again and again["ladder.5.kind"] == ""  # new empty rows
    assert (await send(web, again)).status == 303
    assert await load_rules(sessions) == expected  # the page shows exactly what is stored


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rounds": "twee"}, "Aantal rondes: moet een heel getal zijn"),
        ({"rounds": "0"}, "Aantal rondes: moet minstens 1 zijn"),
        ({"round_gap_days": "-1"}, "Dagen tussen twee rondes: moet minstens 0 zijn"),
        ({"max_contacts_per_day": "2,5"}, "Hoogstens contacten per dag: moet een heel getal zijn"),
        (
            {"max_contacts_per_week": "1"},
            "Hoogstens contacten per week moet minstens zo groot zijn als hoogstens contacten "
            "per dag",
        ),
        (
            {"call_window.end": "08:00"},
            "Beltijden: het einde (08:00) moet na het begin (09:00) liggen",
        ),
        ({"message_window.start": ""}, "Tijden voor berichten, vanaf: is geen tijd"),
        ({"message_window.start": "25:00"}, "Tijden voor berichten, vanaf: is geen tijd"),
        (
            {"day_parts.evening": "20:30"},
            "Belladder: stap 4 (telefoongesprek, avond 20:30) valt buiten beltijden",
        ),
        ({"ladder.1.day": "-2"}, "Belladder, stap 1, werkdag: moet minstens 0 zijn"),
        ({"ladder.1.day": "²"}, "Belladder, stap 1, werkdag: moet een heel getal zijn"),
        (
            {"round_days": "5"},
            "Belladder: de laatste stap (werkdag 4) valt na het einde van de ronde",
        ),
        (
            {"ladder.0.remove": "ja"},
            "Belladder: de eerste stap moet het openingsbericht zijn (bericht, werkdag 0)",
        ),
        (
            {"ladder.5.kind": "call", "ladder.5.day": "1"},
            "Belladder, stap 5, moment: moet een van deze zijn",
        ),
    ],
)
async def test_bad_input_is_named_in_dutch_kept_in_the_form_and_changes_nothing(
    web, sessions, changes, message
):
    await signed_in_as(web, sessions)
    fields = await shown(web) | changes
    answer = await send(web, fields)
    assert answer.status == 400
    page = await answer.text()
    assert message in page and "Er is niets opgeslagen." in page
    again = form_fields(page)
    kept = {name: value for name, value in changes.items() if not name.endswith(".remove")}
    if "ladder.0.remove" not in changes:  # a removed row is gone; the others stay put
        assert {name: again.get(name) for name in kept} == kept
    assert await stored(sessions) == (None, [])


async def test_a_forged_choice_of_call_times_is_named_and_changes_nothing(web, sessions):
    await signed_in_as(web, sessions)
    answer = await send(web, await shown(web) | {"call_times": "soms"})
    assert answer.status == 400
    page = await answer.text()
    assert (
        "Tijd van het bellen: moet een van deze zijn: &#39;vast&#39; of &#39;geleerd&#39;" in page
    )
    assert await stored(sessions) == (None, [])


async def test_a_forged_choice_of_announcing_calls_is_named_and_changes_nothing(web, sessions):
    await signed_in_as(web, sessions)
    answer = await send(web, await shown(web) | {"announce_calls": "misschien"})
    assert answer.status == 400
    assert "Bellen aankondigen: moet true of false zijn" in await answer.text()
    assert await stored(sessions) == (None, [])


async def test_a_forged_step_number_is_no_step(web, sessions):
    await signed_in_as(web, sessions)
    forged = {f"ladder.{'9' * 5000}.kind": "call", f"ladder.{'9' * 5000}.day": "1"}
    answer = await send(web, await shown(web) | forged)
    assert answer.status == 303  # saved as shown, the forged row ignored
    assert await load_rules(sessions) == PlanningRules()


async def test_no_call_days_is_refused(web, sessions):
    await signed_in_as(web, sessions)
    fields = {n: v for n, v in (await shown(web)).items() if not n.startswith("call_window.days")}
    answer = await send(web, fields)
    assert answer.status == 400
    assert "Beltijden, dagen: mag niet leeg zijn" in await answer.text()
    assert await stored(sessions) == (None, [])


async def test_a_form_a_colleague_overtook_is_refused_and_shows_their_change(
    web, sessions, aiohttp_client
):
    await signed_in_as(web, sessions)
    colleague = await aiohttp_client(web.server)
    await signed_in_as(colleague, sessions, "beheer@gemeente.example", Role.ADMIN)
    mine, theirs = await shown(web), await shown(colleague)

    assert (await send(colleague, theirs | {"rounds": "4"})).status == 303
    late = await send(web, mine | {"round_days": "20"})
    assert late.status == 409
    page = await late.text()
    assert "Een collega heeft de instellingen net gewijzigd" in page
    assert form_fields(page)["rounds"] == "4" and form_fields(page)["round_days"] == "14"
    rules = await load_rules(sessions)
    assert (rules.rounds, rules.round_days) == (4, 14)
    _, audited = await stored(sessions)
    assert [actor for actor, _ in audited] == ["beheer@gemeente.example"]

    # The page it showed carries the new version: the change can be made again.
    assert (await send(web, form_fields(page) | {"round_days": "20"})).status == 303
    assert (await load_rules(sessions)).round_days == 20
