"""`followup dispatch`: send every attempt that is due now, then exit (the scheduler in
`serve` runs the same pass every few seconds)."""

import argparse
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from followup.cli.credentials import check_settings, with_sim_token
from followup.cli.moments import parse_now
from followup.cli.runtime import ATTENTION, OK, Refused, database, load_settings, print_json
from followup.clock import utc_now
from followup.services.planning_settings import PlanningSettingsError, load_rules
from followup.services.secret_key import ensure_secret_key

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from dialer.worker import PassSummary


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "dispatch",
        help="verstuur alle berichten en gesprekken die nu aan de beurt zijn",
        description="Verstuurt sms'en en e-mails en start gesprekken die nu aan de beurt zijn, "
        "binnen de tijden waarop contact mag. Pogingen die bij een eerdere keer zijn blijven "
        "hangen, worden eerst nagevraagd bij de provider: niets wordt twee keer verstuurd.",
    )
    parser.add_argument(
        "--now",
        metavar="ISO8601",
        help="verstuur wat op dit moment aan de beurt is (zonder tijdzone: Nederlandse tijd)",
    )
    parser.add_argument("--json", action="store_true", help="schrijf de uitkomst als JSON")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    # The carrier library loads for the commands that send only: the others start faster.
    from dialer.worker import SendingStopped
    from followup.dialing import dialer, outreach_for
    from followup.rules.contact_calendar import ContactCalendar

    settings = load_settings()
    check_settings(settings, demo=False, takes_webhooks=False)
    now = parse_now(args.now, settings.zone) if args.now else None
    async with database(settings) as sessions:
        try:
            rules = await load_rules(sessions)
        except PlanningSettingsError as error:
            raise Refused(f"de planningsinstellingen zijn niet te gebruiken: {error}") from None
        secret_key = await ensure_secret_key(sessions, settings.secret_key, utc_now())
        settings = with_sim_token(settings, secret_key, demo=False)
        outreach = outreach_for(settings, rules, secret_key, ContactCalendar(settings.zone))
        async with dialer(settings, sessions, sim_pace=0.05) as dialing:
            try:
                summary = await dialing.dispatcher.run_pass(outreach, now)
            except SendingStopped as stopped:
                raise Refused(str(stopped)) from None
    if args.json:
        document = asdict(summary)
        for outage in document["outages"]:
            outage["failing_since"] = outage["failing_since"].isoformat()
        print_json(document)
    else:
        _print(summary)
        for line in _outage_lines(summary, settings.zone, now or utc_now()):
            print(line)
    # An outage is no failure of this run, but someone must know: the attempts wait.
    return ATTENTION if summary.outages else OK


def _outage_lines(summary: "PassSummary", zone: "ZoneInfo", now: datetime) -> list[str]:
    from followup.rules.outages import outage_text

    today = now.astimezone(zone).date()
    return [
        outage_text(o.channel, o.failing_since.astimezone(zone), o.waiting, today)
        for o in summary.outages
    ]


def _print(summary: "PassSummary") -> None:
    print(
        "\n".join(
            [
                "Versturen klaar",
                f"  verstuurd:                 {summary.sent}",
                f"  mislukt:                   {summary.failed}",
                f"  niet meer nodig:           {summary.cancelled}",
                f"  onzeker, wordt nagevraagd: {summary.unsure}",
                f"  wacht op de provider:      {summary.held}",
                f"  nagevraagd bij provider:   {summary.reconciled}",
                f"  duur:                      {summary.seconds:.1f} s".replace(".", ","),
            ]
        )
    )
