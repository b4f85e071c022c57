"""What the audit trail must hold, one row each: every kind of event is done through the real
service (or command) and leaves an audit record naming who did it and, where there is one,
which resident; afterwards the chain still verifies. A failed sign-in on its own is not
recorded (docs/audit.md says why); the lock-out it leads to is."""

from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.audit_filter import AuditFilter
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AuditAction, OutcomeCategory, Role, WrapUpResult
from followup.rules.phones import classify_phone
from followup.rules.planning_rules import PlanningRules
from followup.rules.report_filter import ReportFilter
from followup.rules.wrap_up import WrapUpForm
from followup.services.attempt_failures import Recovery
from followup.services.audit_trail import read_trail
from followup.services.audit_verify import verify_chain
from followup.services.back_office import record_back_office_outcome
from followup.services.pacing import set_limits
from followup.services.planning_settings import save_rules
from followup.services.reach_dashboard import FileKind, report_file
from followup.services.resident_card import open_card
from followup.services.self_service import ACTOR as RESIDENT
from followup.services.self_service import correct_email
from followup.services.sign_in import SignInLocked, sign_in
from followup.services.sms_templates import save_templates
from followup.services.users import add_user
from followup.services.wrap_up import wrap_up
from followup.store.staff_tables import AuditRecord
from followup.store.users import SignedIn
from tests.support.processes import clean_env, followup
from tests.support.rows import NOW, add_client, add_follow_up

ZONE = ZoneInfo("Europe/Amsterdam")
PASSWORD = "een lang wachtwoord"
AGENT = "agent@gemeente.example"
COORDINATOR = "coord@gemeente.example"


@pytest.fixture
async def world(sessions):
    """An agent, a coordinator and a resident "K-1" with an open follow-up."""
    agent_id = await add_user(
        sessions, email=AGENT, role=Role.AGENT, password=PASSWORD, now=NOW, actor="test"
    )
    coordinator_id = await add_user(
        sessions,
        email=COORDINATOR,
        role=Role.COORDINATOR,
        password=PASSWORD,
        now=NOW,
        actor="test",
    )
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, "K-1")
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
    return {
        "agent": SignedIn(agent_id, AGENT, Role.AGENT, None),
        "coordinator": SignedIn(coordinator_id, COORDINATOR, Role.COORDINATOR, None),
        "client_id": client_id,
        "follow_up_id": follow_up.id,
    }


async def opened_card(sessions, w, **_):
    await open_card(sessions, w["client_id"], w["agent"], NOW)
    return AuditAction.CARD_OPENED, AGENT, w["client_id"]


async def agent_wraps_up(sessions, w, form: WrapUpForm) -> None:
    recovery = Recovery(PlanningRules(), ContactCalendar(ZONE))
    await wrap_up(
        sessions, w["client_id"], w["follow_up_id"], None, form, w["agent"], NOW, recovery
    )


async def outcome_by_agent(sessions, w, **_):
    await agent_wraps_up(sessions, w, WrapUpForm(WrapUpResult.ACTIVE))
    return AuditAction.CALL_WRAPPED_UP, AGENT, w["client_id"]


async def outcome_by_back_office(sessions, w, **_):
    await record_back_office_outcome(
        sessions,
        client_ref="K-1",
        category=OutcomeCategory.NOT_ACTIVE,
        reason=None,
        note=None,
        now=NOW,
        actor="cli",
    )
    return AuditAction.OUTCOME_RECORDED, "cli", w["client_id"]


async def contact_changed(sessions, w, **_):
    form = WrapUpForm(WrapUpResult.IN_PROGRESS, new_phone=classify_phone("0612345678"))
    await agent_wraps_up(sessions, w, form)
    return AuditAction.CONTACT_CHANGED, AGENT, w["client_id"]


async def contact_changed_by_resident(sessions, w, **_):
    await correct_email(sessions, w["follow_up_id"], "nieuw@voorbeeld.nl", NOW)
    return AuditAction.CONTACT_CHANGED, RESIDENT, w["client_id"]


async def report_downloaded(sessions, w, **_):
    await report_file(sessions, ZONE, ReportFilter(), FileKind.CSV, w["coordinator"], NOW)
    return AuditAction.REPORT_DOWNLOADED, COORDINATOR, None


async def report_exported(sessions, w, db_url, tmp_path):
    result = followup(
        "report",
        "--format",
        "csv",
        "--output",
        str(tmp_path / "r.csv"),
        cwd=tmp_path,
        env=clean_env(db_url),
    )
    assert result.returncode == 0, result.stderr
    return AuditAction.REPORT_EXPORTED, "cli", None


async def planning_changed(sessions, w, **_):
    await save_rules(sessions, PlanningRules(), now=NOW, actor=COORDINATOR)
    return AuditAction.PLANNING_CHANGED, COORDINATOR, None


async def pacing_changed(sessions, w, **_):
    await set_limits(sessions, total="100", per_wijk="", now=NOW, actor=COORDINATOR)
    return AuditAction.PACING_LIMITS_CHANGED, COORDINATOR, None


async def templates_changed(sessions, w, **_):
    await save_templates(sessions, [("Groet", "Hallo")], w["coordinator"], NOW)
    return AuditAction.TEMPLATES_CHANGED, COORDINATOR, None


async def signed_in(sessions, w, **_):
    assert await sign_in(sessions, AGENT, PASSWORD, "10.0.0.1", NOW) is not None
    return AuditAction.SIGNED_IN, AGENT, None


async def locked_out(sessions, w, **_):
    with pytest.raises(SignInLocked):  # wrong passwords until signing in has to wait
        for _attempt in range(100):
            assert await sign_in(sessions, AGENT, "fout", "10.0.0.2", NOW) is None
    return AuditAction.SIGN_IN_LOCKED, AGENT, None


async def user_added(sessions, w, **_):
    await add_user(
        sessions,
        email="nieuw@gemeente.example",
        role=Role.AGENT,
        password=PASSWORD,
        now=NOW,
        actor=COORDINATOR,
    )
    return AuditAction.USER_ADDED, COORDINATOR, None


async def trail_of_a_resident_read(sessions, w, **_):
    await read_trail(sessions, AuditFilter(client_ref="K-1"), None, ZONE, w["coordinator"], NOW)
    return AuditAction.AUDIT_VIEWED, COORDINATOR, w["client_id"]


EVENTS = {
    "opened a resident's card": opened_card,
    "recorded an outcome after a call": outcome_by_agent,
    "recorded an outcome in the back office": outcome_by_back_office,
    "changed contact details": contact_changed,
    "changed their own contact details on the response page": contact_changed_by_resident,
    "downloaded a report from /bereik": report_downloaded,
    "exported a report with `followup report`": report_exported,
    "changed the planning": planning_changed,
    "changed the pacing": pacing_changed,
    "changed the SMS templates": templates_changed,
    "signed in": signed_in,
    "was locked out": locked_out,
    "added a user": user_added,
    "read one resident's audit trail": trail_of_a_resident_read,
}


@pytest.mark.parametrize("event", list(EVENTS))
async def test_each_event_leaves_an_audit_record(sessions, world, db_url, tmp_path, event):
    action, actor, client_id = await EVENTS[event](
        sessions, world, db_url=db_url, tmp_path=tmp_path
    )
    async with sessions() as session:
        found = (
            await session.execute(
                sa.select(AuditRecord.actor, AuditRecord.client_id).where(
                    AuditRecord.action == action
                )
            )
        ).all()
    assert (actor, client_id) in found
    assert (await verify_chain(sessions)).whole
