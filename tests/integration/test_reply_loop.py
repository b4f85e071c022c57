"""The whole loop with the simulated carrier: our SMS reaches the resident's (simulated)
phone, the resident answers from it, the carrier posts the signed reply to our webhook, and
the confirmation comes back to the phone."""

import aiohttp
import sqlalchemy as sa

from followup.rules import sms_replies as texts
from followup.rules.domain import FollowUpState, OutcomeCategory, OutcomeSource
from followup.store.tables import Client, FollowUp, Outcome
from tests.support.carrier import eventually, outbound_world
from tests.support.files import row

RESIDENT = "+31612345678"


async def test_a_reply_from_the_phone_closes_the_follow_up_and_is_confirmed(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("A", phone="06-12345678")], tmp_path)
        await world.plan()
        assert (await world.dispatch()).sent == 1

        async with aiohttp.ClientSession() as http:
            answered = await http.post(
                f"{world.sim_url}/sim/phone/{RESIDENT}/antwoord",
                data={"antwoord": "3"},
                allow_redirects=False,
            )
        assert answered.status == 303  # the service took the reply

        async with world.sessions() as session:
            recorded = (
                await session.execute(
                    sa.select(FollowUp.state, Outcome.category, Outcome.source)
                    .join(Client)
                    .join(Outcome, Outcome.follow_up_id == FollowUp.id)
                    .where(Client.client_ref == "A")
                )
            ).one()
        assert tuple(recorded) == (
            FollowUpState.CLOSED,
            OutcomeCategory.IN_PROGRESS,
            OutcomeSource.SMS,
        )

        async def confirmation():
            bodies = [m["body"] for m in await world.received("messages")]
            return texts.outcome_thanks(OutcomeCategory.IN_PROGRESS) in bodies

        assert await eventually(confirmation)
