"""While the dialer finds the carrier failing, the coordinators' pages say so in plain Dutch,
with how many messages wait; when it works again the banner is gone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from followup.rules.domain import AttemptState, Channel, Role
from followup.rules.outages import ChannelHealth
from followup.services.channel_health import write_health
from followup.services.users import add_user
from followup.settings import Settings
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up
from tests.support.staff import sign_in
from tests.support.webhooks import Clock, app_for

ZONE = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 23, 15, 0, tzinfo=ZONE)
FAILING_SINCE = datetime(2026, 11, 23, 14, 2, tzinfo=ZONE)
PASSWORD = "een lang wachtwoord"
BANNER = (
    "De sms-dienst is sinds 14:02 niet bereikbaar. "
    "3 berichten wachten en gaan vanzelf weg als hij weer werkt."
)


@pytest.fixture
async def web(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url="http://nabellen.example")
    async with sessions() as session, session.begin():
        for n in range(3):
            client_id, conversation_id = await add_client(session, str(n))
            follow_up = await add_follow_up(
                session, client_id, conversation_id, round_number=1, opened_at=NOW
            )
            await add_attempt(session, follow_up.id, state=AttemptState.QUEUED, tries=0)
    client = await aiohttp_client(app_for(settings, sessions, Clock(MONDAY)))
    email = "coordinator@gemeente.example"
    await add_user(
        sessions, email=email, role=Role.COORDINATOR, password=PASSWORD, now=NOW, actor="t"
    )
    assert (await sign_in(client, email, PASSWORD)).status == 303
    return client


@pytest.mark.parametrize("path", ["/bereik", "/tempo"])
async def test_a_failing_carrier_shows_a_banner_until_it_works(web, sessions, path):
    assert "niet bereikbaar" not in await (await web.get(path)).text()
    failing = ChannelHealth(Channel.SMS, failing_since=FAILING_SINCE, failures=3)
    await write_health(sessions, [failing])
    page = await web.get(path)
    assert page.status == 200
    assert BANNER in await page.text()
    await write_health(sessions, [ChannelHealth(Channel.SMS, last_try=MONDAY)])
    assert "niet bereikbaar" not in await (await web.get(path)).text()
