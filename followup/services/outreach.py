"""How this installation reaches residents: who the messages come from, when failed attempts
may be tried again, and how a claimed attempt becomes the text that goes out. Rendered the
same way each time, so the reconciler can recognise a message at the carrier."""

from dataclasses import dataclass

from followup.rules.attempt_failures import Recovery
from followup.rules.client_messages import Sender, email_message, sms_text
from followup.rules.domain import Channel
from followup.rules.response_links import ResponseLinks
from followup.rules.targeting import Target
from followup.services.ports import Outbound
from followup.store.dispatch_queries import AttemptRow


@dataclass(frozen=True)
class Outreach:
    sender: Sender
    sms_from: str  # E.164: our number, the sender of every SMS and the caller ID of calls
    recovery: Recovery
    # Every e-mail carries the resident's own link to the response page; an SMS when they
    # asked for it.
    links: ResponseLinks
    lookup_before_sms: bool = False

    def outbound(self, row: AttemptRow, target: Target, lookup: bool = False) -> Outbound:
        common = {
            "attempt_id": row.id,
            "client_id": row.client_id,
            "channel": target.channel,
            "purpose": row.purpose,
            "to": target.address,
            "number_id": target.number.id if target.number else None,
        }
        if target.channel is Channel.CALL:
            return Outbound(**common, agent_phone=row.agent_phone)
        link = self.links.url(row.follow_up_id, row.due_at.date())
        call_at = row.announces_call_at and row.announces_call_at.astimezone(
            self.recovery.calendar.zone
        )
        if target.channel is Channel.SMS:
            text = row.message or sms_text(
                row.purpose,
                self.sender,
                row.round_number,
                link if row.link_in_sms else None,
                call_at,
            )
            return Outbound(**common, body=text, lookup=lookup)
        email = email_message(row.purpose, self.sender, row.round_number, link, call_at)
        return Outbound(**common, subject=email.subject, body=email.body)
