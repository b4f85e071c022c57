"""`followup outcome` as the back office runs it: the outcome closes the follow-up through
the same rules as a resident's own answer; bad usage is refused and changes nothing."""

import pytest
import sqlalchemy as sa

from followup.rules.domain import (
    AttemptState,
    FollowUpState,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    UnreachableReason,
)
from followup.store.staff_tables import AuditRecord
from followup.store.tables import Attempt, FollowUp, OptOut, Outcome
from tests.support.processes import clean_env, followup
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up


@pytest.fixture
async def follow_up_id(sessions) -> int:
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, "K-17")
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        await add_attempt(session, follow_up.id, state=AttemptState.QUEUED, sent_at=None)
        return follow_up.id


async def state(sessions, follow_up_id: int) -> tuple:
    async with sessions() as session:
        follow_up = await session.get(FollowUp, follow_up_id)
        outcome = await session.scalar(sa.select(Outcome))
        attempt = await session.scalar(sa.select(Attempt.state))
        opt_out = await session.scalar(sa.select(OptOut.source))
        audits = (await session.scalars(sa.select(AuditRecord.action))).all()
    described = outcome and (outcome.category, outcome.reason, outcome.source, outcome.note)
    return follow_up.state, described, attempt, opt_out, audits


async def test_an_outcome_closes_the_follow_up_and_is_audited(
    sessions, db_url, tmp_path, follow_up_id
):
    result = followup(
        "outcome",
        "K-17",
        "with_wij",
        "--note",
        "brief ontvangen",
        cwd=tmp_path,
        env=clean_env(db_url),
    )
    assert result.returncode == 0, result.stderr
    assert "Gemeld bij WIJ-team" in result.stdout
    assert await state(sessions, follow_up_id) == (
        FollowUpState.CLOSED,
        (OutcomeCategory.WITH_WIJ, None, OutcomeSource.BACK_OFFICE, "brief ontvangen"),
        AttemptState.CANCELLED,
        None,
        ["outcome_recorded"],
    )


async def test_opted_out_is_an_opt_out_too(sessions, db_url, tmp_path, follow_up_id):
    result = followup(
        "outcome",
        "K-17",
        "unreachable",
        "--reason",
        "opted_out",
        cwd=tmp_path,
        env=clean_env(db_url),
    )
    assert result.returncode == 0, result.stderr
    follow_up_state, outcome, _, opt_out, _ = await state(sessions, follow_up_id)
    assert follow_up_state is FollowUpState.CLOSED
    assert outcome[:3] == (
        OutcomeCategory.UNREACHABLE,
        UnreachableReason.OPTED_OUT,
        OutcomeSource.BACK_OFFICE,
    )
    assert opt_out is OptOutSource.BACK_OFFICE


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["K-99", "active"], "bestaat niet"),
        (["K-17", "unreachable"], "--reason"),
        (["K-17", "active", "--reason", "no_answer"], "alleen bij 'unreachable'"),
        (["K-17", "gelukt"], "invalid choice"),
    ],
)
async def test_bad_usage_is_refused_and_changes_nothing(
    sessions, db_url, tmp_path, follow_up_id, args, says
):
    result = followup("outcome", *args, cwd=tmp_path, env=clean_env(db_url))
    assert result.returncode == 2
    assert says in result.stderr
    assert await state(sessions, follow_up_id) == (
        FollowUpState.OPEN,
        None,
        AttemptState.QUEUED,
        None,
        [],
    )


async def test_a_second_outcome_is_refused(sessions, db_url, tmp_path, follow_up_id):
    env = clean_env(db_url)
    assert followup("outcome", "K-17", "active", cwd=tmp_path, env=env).returncode == 0
    second = followup("outcome", "K-17", "not_active", cwd=tmp_path, env=env)
    assert second.returncode == 2
    assert "geen lopende opvolging" in second.stderr
    assert (await state(sessions, follow_up_id))[1][0] is OutcomeCategory.ACTIVE
