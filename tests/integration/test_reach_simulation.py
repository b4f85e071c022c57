"""The reach simulation through the real planner, dialer and webhooks' use cases, on a
database of its own (SQLite): every resident accounted for, the same seed the same result,
and each strategy doing what it says."""

from followup.rules.reach_model import Assumptions
from followup.services.reach_residents import STRATEGIES, population
from followup.services.reach_simulation import simulate

A = Assumptions()


async def run(name: str, tmp_path, count: int = 40, seed: int = 5):
    return await simulate(STRATEGIES[name], population(count, seed, A), seed, tmp_path, A)


async def test_2016_reaches_residents_by_calls_only_and_the_same_seed_agrees(tmp_path):
    first = await run("2016", tmp_path)
    assert first.residents == 40
    assert 0 < first.reached < 40
    assert first.by == {"agent": first.reached}  # nobody reads a message in 2016
    assert first.answered_calls == first.reached  # each conversation closed the follow-up
    # Two rounds of two calls at most for each resident, none for one reached at once.
    assert first.reached <= first.calls <= 4 * 40
    assert first.agent_minutes == (
        first.answered_calls * A.talk_minutes
        + (first.calls - first.answered_calls) * A.no_answer_minutes
    )
    assert await run("2016", tmp_path) == first


async def test_the_full_ladder_reaches_by_text_link_and_call(tmp_path):
    full = await run("full", tmp_path, count=80)
    assert 0 < full.reached <= 80
    assert set(full.by) <= {"agent", "sms", "email_link"}
    assert full.by.get("sms", 0) + full.by.get("email_link", 0) > 0
    assert full.minutes_per_reached is not None and full.minutes_per_reached > 0
