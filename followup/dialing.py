"""Composition of the dialer: the carrier (Twilio, or the simulated carrier, in this process
when no other one is configured), the mailer, the rate limits and the dispatcher, built
from the settings inside the running event loop."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.mail import OutboxMailer, SmtpMailer
from dialer.rate_limit import TokenBucket
from dialer.sim import SimCarrier, SimConfig, running_sim
from dialer.twilio_carrier import TwilioCarrier
from dialer.worker import Dispatcher
from followup.carrier_urls import CarrierUrls
from followup.clock import Clock, utc_now
from followup.rules.attempt_failures import Recovery
from followup.rules.client_messages import Sender
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import Channel
from followup.rules.planning_rules import PlanningRules
from followup.rules.response_links import ResponseLinks
from followup.services.outreach import Outreach
from followup.settings import TWILIO_API_BASE, Settings


@dataclass(frozen=True)
class Dialer:
    dispatcher: Dispatcher
    api_base: str  # the carrier's REST API in use
    sim: SimCarrier | None  # the simulated carrier running in this process, if any


def embeds_sim(settings: Settings) -> bool:
    """The simulated carrier runs in-process unless another address was given for it."""
    return settings.carrier == "sim" and settings.twilio_api_base == TWILIO_API_BASE


@asynccontextmanager
async def dialer(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock = utc_now,
    sim_pace: float = 1.0,
) -> AsyncIterator[Dialer]:
    async with AsyncExitStack() as stack:
        api_base, sim = settings.twilio_api_base, None
        if embeds_sim(settings):
            sim = SimCarrier(
                SimConfig(
                    account_sid=settings.twilio_account_sid,
                    auth_token=settings.twilio_auth_token,
                    inbound_sms_url=CarrierUrls(settings.public_url).inbound_sms,
                    default_from=settings.twilio_from,
                    pace=sim_pace,
                )
            )
            api_base = await stack.enter_async_context(running_sim(sim))
        carrier = TwilioCarrier(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from,
            api_base,
            CarrierUrls(settings.public_url),
            settings.carrier_timeout_seconds,
        )
        stack.push_async_callback(carrier.close)
        mailer = (
            SmtpMailer(settings.smtp_url, settings.email_from, settings.carrier_timeout_seconds)
            if settings.smtp_url
            else OutboxMailer(settings.outbox_dir, settings.email_from)
        )
        dispatcher = Dispatcher(
            sessions,
            {Channel.SMS: carrier.sms, Channel.CALL: carrier.voice, Channel.EMAIL: mailer},
            {
                Channel.SMS: TokenBucket(settings.messages_per_second),
                Channel.CALL: TokenBucket(settings.calls_per_second),
                Channel.EMAIL: TokenBucket(settings.emails_per_second),
            },
            lookup=carrier,
            batch_size=settings.dispatch_batch_size,
            concurrency=settings.dispatch_concurrency,
            # Long after any request could still be under way, even a slow one.
            reconcile_after=max(
                timedelta(minutes=2), timedelta(seconds=4 * settings.carrier_timeout_seconds)
            ),
            clock=clock,
        )
        yield Dialer(dispatcher, api_base, sim)


def outreach_for(
    settings: Settings, rules: PlanningRules, secret_key: str, calendar: ContactCalendar
) -> Outreach:
    """How this installation reaches residents under the planning rules as they are now."""
    return Outreach(
        sender=Sender(name=settings.sender_name, sms_number=settings.team_number),
        sms_from=settings.twilio_from,
        recovery=Recovery(rules, calendar),
        links=ResponseLinks(settings.public_url, secret_key),
        lookup_before_sms=settings.lookup_before_sms,
    )
