"""`/bereik` over HTTP on SQLite and PostgreSQL: only coordinators and admins see it; its
figures are the reach report's with the same filters; bad filters get a Dutch message; the
downloads hold the same figures and are audited."""

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from followup.app_keys import RULES
from followup.rules.domain import (
    AttemptState,
    Channel,
    FollowUpState,
    OutcomeCategory,
    OutcomeSource,
    ReportGrouping,
    Role,
    UnreachableReason,
)
from followup.rules.planning_rules import PlanningRules
from followup.rules.report_labels import sheet_name
from followup.services.pacing import set_limits
from followup.services.planning_settings import save_rules
from followup.services.reach_dashboard import reach_dashboard
from followup.services.reach_report import ReportFilter, reach_report
from followup.services.report_files import ABOUT_SHEET
from followup.services.users import add_user
from followup.settings import Settings
from followup.store.staff_tables import AuditRecord
from followup.store.tables import CallAnswerCount, Round
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up
from tests.support.staff import sign_in
from tests.support.webhooks import Clock, app_for

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PASSWORD = "een lang wachtwoord"
NUMBER = "utrecht-table__cell utrecht-table__cell--numeric-column utrecht-table__cell--numeric-data"
COORDINATOR, ADMIN, AGENT = (
    "coordinator@gemeente.example",
    "beheer@gemeente.example",
    "agent@gemeente.example",
)
C, R = OutcomeCategory, UnreachableReason
CLOSED, OPEN = FollowUpState.CLOSED, FollowUpState.OPEN
# wijk, round, opened at (UTC), outcome, where it came from, channels tried
RESIDENTS = [
    ("Selwerd", 1, "2026-03-10T08:00", (C.ACTIVE, None), OutcomeSource.SMS, [Channel.SMS]),
    ("Selwerd", 2, "2026-03-11T08:00", (C.IN_PROGRESS, None), OutcomeSource.AGENT, [Channel.CALL]),
    ("Selwerd", 2, "2026-04-02T08:00", (C.UNREACHABLE, R.NO_ANSWER), OutcomeSource.PLANNER, []),
    ("Selwerd", 1, "2026-04-03T08:00", None, None, [Channel.SMS]),
    ("Paddepoel", 1, "2026-03-31T22:30", (C.WITH_WIJ, None), OutcomeSource.EMAIL_LINK, []),
    ("Paddepoel", 1, "2026-04-20T08:00", (C.UNREACHABLE, R.NO_CONTACT_DETAILS), None, []),
    ("Paddepoel", 2, "2026-04-21T08:00", (C.UNREACHABLE, R.INVALID_NUMBER), None, []),
    ("Paddepoel", 1, "2026-05-05T08:00", (C.NOT_ACTIVE, None), OutcomeSource.AGENT, []),
]


async def populate(sessions) -> None:
    async with sessions() as session, session.begin():
        await add_client(session, "not-due", "Beijum")  # a wijk with nobody approached yet
        for number, (wijk, round_number, opened, outcome, source, channels) in enumerate(RESIDENTS):
            client_id, conversation_id = await add_client(session, f"K{number}", wijk)
            await add_follow_up(
                session,
                client_id,
                conversation_id,
                round_number=round_number,
                opened_at=datetime.fromisoformat(opened).replace(tzinfo=UTC),
                outcome=outcome,
                source=source or OutcomeSource.PLANNER,
                channels=channels,
            )


PARTS = ("tabel-wijk", "tabel-ronde", "tabel-kanaal", "tabel-bereikt-via", "tabel-medewerker",
         "tabel-maand", "tabel-niet-bereikt", "tabel-open")  # fmt: skip


@pytest.fixture
async def web(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url="http://nabellen.example")
    client = await aiohttp_client(app_for(settings, sessions, Clock(NOW)))
    for email, role in ((COORDINATOR, Role.COORDINATOR), (ADMIN, Role.ADMIN), (AGENT, Role.AGENT)):
        await add_user(sessions, email=email, role=role, password=PASSWORD, now=NOW, actor="t")
    return client


async def page_text(web, path: str, status: int = 200) -> str:
    """The page's HTML with its whitespace as a reader sees it."""
    answer = await web.get(path)
    assert answer.status == status
    return " ".join((await answer.text()).split())


async def as_coordinator(web):
    assert (await sign_in(web, COORDINATOR, PASSWORD)).status == 303
    return web


@pytest.mark.parametrize("path", ["/bereik", "/bereik/download.xlsx", "/bereik/download.csv"])
async def test_only_coordinators_and_admins_get_in(web, path):
    anonymous = await web.get(path + "?wijk=Selwerd", allow_redirects=False)
    assert anonymous.status == 303
    assert anonymous.headers["Location"].startswith("/inloggen?terug=")
    await sign_in(web, AGENT, PASSWORD)
    assert (await web.get(path, allow_redirects=False)).status == 403
    for email in (COORDINATOR, ADMIN):
        await sign_in(web, email, PASSWORD)
        assert (await web.get(path)).status == 200


async def test_coordinators_find_the_dashboard_from_any_page(web):
    await sign_in(web, AGENT, PASSWORD)
    assert 'href="/bereik"' not in await (await web.get("/wachtwoord")).text()
    await as_coordinator(web)
    assert 'href="/bereik"' in await (await web.get("/wachtwoord")).text()


async def test_an_empty_database_says_there_are_no_figures_yet(web):
    await as_coordinator(web)
    page = await page_text(web, "/bereik")
    assert "Er zijn nog geen cijfers: er is nog niemand benaderd." in page


async def test_the_page_leads_with_the_totals_and_shows_every_part(web, sessions):
    await populate(sessions)
    await as_coordinator(web)
    page = await page_text(web, "/bereik")
    assert (
        "8 inwoners benaderd: 1 actief geworden, 1 gemeld bij het WIJ-team, 1 zetten stappen,"
        " 1 niet actief geworden, 3 niet bereikt en met 1 zijn we nog bezig." in page
    )
    assert page.index('id="samenvatting"') < page.index('id="per-wijk"')
    for part in PARTS:
        assert f'id="{part}"' in page
    for chart in ("grafiek-wijk", "grafiek-maand"):
        assert f'role="img" aria-labelledby="{chart}-title" aria-describedby="{chart}-desc"' in page
    assert "Er is nog niet gebeld." in page
    assert 'formaction="/bereik/download.xlsx"' in page
    assert 'formaction="/bereik/download.csv"' in page


async def test_the_page_says_whether_the_planner_calls_at_the_hours_shown(web, sessions):
    await populate(sessions)
    async with sessions() as session, session.begin():
        session.add(
            CallAnswerCount(
                opened_month="2026-11", wijk="Selwerd", weekday=1, hour=9, calls=4, answered=1
            )
        )
    await as_coordinator(web)
    assert "De planning belt op de vaste tijden van de belladder." in await page_text(
        web, "/bereik"
    )
    await save_rules(sessions, PlanningRules(call_times="learned"), now=NOW, actor="test")
    web.server.app[RULES].forget()
    page = await page_text(web, "/bereik")
    assert "De planning leert hiervan" in page and 'href="/planning#beltijd"' in page


async def test_the_figures_are_the_reach_reports_with_the_same_filters(web, sessions):
    await populate(sessions)
    chosen = ReportFilter(first_month="2026-04", last_month="2026-04", wijk="Paddepoel")
    board = await reach_dashboard(sessions, AMSTERDAM, chosen)
    for by in ReportGrouping:
        assert board.reports[by] == await reach_report(sessions, by, AMSTERDAM, chosen)
    # 2026-03-31T22:30Z is April in Amsterdam; May is outside the period, Selwerd elsewhere.
    assert board.by_wijk.total.approached == 3
    assert [(r.number, r.reached, r.approached) for r in board.rounds] == [(1, 1, 3), (2, 1, 3)]
    assert board.reached_through == {OutcomeSource.EMAIL_LINK: 1}
    await as_coordinator(web)
    page = await page_text(web, "/bereik?van=2026-04&tot=2026-04&wijk=Paddepoel")
    assert "3 inwoners benaderd:" in page
    downloads = page[page.index('id="downloads"') :]
    for name, value in (("van", "2026-04"), ("tot", "2026-04"), ("wijk", "Paddepoel")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in downloads


async def test_reach_after_each_round_adds_up(sessions):
    await populate(sessions)
    board = await reach_dashboard(sessions, AMSTERDAM, ReportFilter(wijk="Selwerd"))
    # One reached in round 1, one more in round 2, of four approached.
    assert [(r.number, r.reached, r.rate) for r in board.rounds] == [(1, 1, 0.25), (2, 2, 0.5)]
    assert [(s.round_number, s.step, s.count) for s in board.open_steps] == [(1, None, 1)]


async def test_open_follow_ups_stand_at_the_last_step_of_their_round_that_went_out(sessions):
    async with sessions() as session, session.begin():
        for number, (round_number, sent_steps) in enumerate([(2, [0, 1]), (2, [0]), (1, [])]):
            client_id, conversation_id = await add_client(session, f"K{number}")
            follow_up = await add_follow_up(
                session, client_id, conversation_id, round_number=round_number, opened_at=NOW
            )
            for round_in in range(1, round_number + 1):
                opened = Round(follow_up_id=follow_up.id, number=round_in, opened_at=NOW,
                               closes_at=NOW)  # fmt: skip
                session.add(opened)
                await session.flush()
                # Round 1 went all the way; the running round as far as `sent_steps`.
                steps = sent_steps if round_in == round_number else [0, 1, 2, 3, 4]
                for step in range(5):
                    await add_attempt(
                        session, follow_up.id, round_id=opened.id, step=step,
                        sent_at=NOW if step in steps else None,
                        state=AttemptState.SENT if step in steps else AttemptState.QUEUED,
                    )  # fmt: skip
    board = await reach_dashboard(sessions, AMSTERDAM, ReportFilter())
    assert [(s.round_number, s.step, s.count) for s in board.open_steps] == [
        (1, None, 1), (2, 0, 1), (2, 1, 1),
    ]  # fmt: skip


async def test_a_period_without_follow_ups_says_so(web, sessions):
    await populate(sessions)
    await as_coordinator(web)
    page = await page_text(web, "/bereik?van=2027-01")
    assert "Er zijn nog geen cijfers voor deze keuze: er is nog niemand benaderd in deze" in page


async def test_an_unknown_wijk_is_named_with_the_wijken_to_choose_from(web, sessions):
    await populate(sessions)
    await as_coordinator(web)
    page = await page_text(web, "/bereik?wijk=Atlantis", 400)
    assert "Er is geen wijk &#39;Atlantis&#39;." in page
    assert "De wijken zijn: Beijum, Paddepoel, Selwerd." in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("van=2026-13", "Van: &#39;2026-13&#39; is geen maand: schrijf jaar en maand"),
        ("tot=maart", "Tot en met: &#39;maart&#39; is geen maand"),
        ("van=2026-05&tot=2026-01", "Tot en met: 2026-01 ligt vóór de beginmaand 2026-05."),
    ],
)
async def test_a_month_that_is_not_one_gets_a_dutch_message(web, sessions, query, message):
    await as_coordinator(web)
    assert message in await page_text(web, "/bereik?" + query, 400)
    download = await web.get("/bereik/download.csv?" + query, allow_redirects=False)
    assert (download.status, download.headers["Location"]) == (303, "/bereik?" + query)


async def test_downloads_hold_the_pages_figures_and_are_audited(web, sessions):
    await populate(sessions)
    await as_coordinator(web)
    query = "van=2026-03&tot=2026-04&wijk=Selwerd"
    chosen = ReportFilter(first_month="2026-03", last_month="2026-04", wijk="Selwerd")
    by_wijk = await reach_report(sessions, ReportGrouping.WIJK, AMSTERDAM, chosen)

    answer = await web.get("/bereik/download.xlsx?" + query)
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="bereik-2026-03-tot-en-met-2026-04-selwerd.xlsx"'
    )
    assert answer.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(await answer.read()))
    assert book.sheetnames == [ABOUT_SHEET, *(sheet_name(by) for by in ReportGrouping)]
    about = {row[0].value: row[1].value for row in book[ABOUT_SHEET].rows}
    assert about["Maanden (waarin het nabellen begon)"] == "2026-03 tot en met 2026-04"
    assert (about["Wijk"], about["Kleine aantallen"]) == ("Selwerd", "getoond")
    total = [cell.value for cell in list(book[sheet_name(ReportGrouping.WIJK)].rows)[-1]]
    assert total[1:4] == [by_wijk.total.approached, by_wijk.total.reached, 0.5]

    answer = await web.get("/bereik/download.csv?" + query)
    assert answer.headers["Content-Disposition"].endswith('selwerd.csv"')
    text = (await answer.read()).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[1][:4] == ["wijk", "Selwerd", "4", "2"]

    async with sessions() as session:
        details = (
            await session.scalars(
                sa.select(AuditRecord.detail)
                .where(AuditRecord.action == "report_downloaded", AuditRecord.actor == COORDINATOR)
                .order_by(AuditRecord.id)
            )
        ).all()
    chosen_detail = {"from": "2026-03", "to": "2026-04", "wijk": "Selwerd", "suppress_below": None}
    assert details == [{"format": "xlsx", **chosen_detail}, {"format": "csv", **chosen_detail}]


async def test_a_download_for_outside_the_team_hides_small_counts(web, sessions):
    await populate(sessions)
    await as_coordinator(web)
    answer = await web.get("/bereik/download.csv?wijk=Selwerd&verberg=5")
    rows = list(csv.reader(io.StringIO((await answer.read()).decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:4] == ["wijk", "Selwerd", "<5", "<5"]
    forged = await web.get("/bereik/download.csv?wijk=Selwerd&verberg=1", allow_redirects=False)
    assert (forged.status, forged.headers["Location"]) == (303, "/bereik?wijk=Selwerd")


async def test_who_waits_for_their_turn_and_when_they_are_expected_to_begin(web, sessions):
    await populate(sessions)  # Beijum's resident is due and has not begun
    await as_coordinator(web)
    waiting = '<th scope="row" class="utrecht-table__header-cell">Beijum</th>'
    expected = '<td class="{}">1</td><td class="utrecht-table__cell">{}</td>'.format
    page = await page_text(web, "/bereik")
    assert f"{waiting} {expected(NUMBER, 'deze week')}" in page
    await set_limits(sessions, total="", per_wijk="0", now=NOW, actor=COORDINATOR)
    page = await page_text(web, "/bereik")
    assert f"{waiting} {expected(NUMBER, 'niemand: 0 per week')}" in page
    assert 'href="/tempo"' in page
    page = await page_text(web, "/bereik?wijk=Selwerd")
    assert 'id="tabel-wachten"' not in page and "Er wacht niemand" in page
