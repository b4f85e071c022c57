"""`followup dispatch`: send every attempt that is due now, then exit (the scheduler in
`serve` runs the same pass every few seconds)."""

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from followup.cli.moments import parse_now
from followup.cli.runtime import OK, Refused, database, load_settings, print_json
from followup.clock import utc_now
from followup.services.planning_settings import PlanningSettingsError, load_rules
from followup.services.secret_key import ensure_secret_key

if TYPE_CHECKING:
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
    now = parse_now(args.now, settings.zone) if args.now else None
    async with database(settings) as sessions:
        try:
            rules = await load_rules(sessions)
        except PlanningSettingsError as error:
            raise Refused(f"de planningsinstellingen zijn niet te gebruiken: {error}") from None
        secret_key = await ensure_secret_key(sessions, settings.secret_key, utc_now())
        outreach = outreach_for(settings, rules, secret_key, ContactCalendar(settings.zone))
        async with dialer(settings, sessions, sim_pace=0.05) as dialing:
            try:
                summary = await dialing.dispatcher.run_pass(outreach, now)
            except SendingStopped as stopped:
                raise Refused(str(stopped)) from None
    if args.json:
        print_json(asdict(summary))
    else:
        _print(summary)
    return OK


def _print(summary: "PassSummary") -> None:
    print(
        "\n".join(
            [
                "Versturen klaar",
                f"  verstuurd:                 {summary.sent}",
                f"  mislukt:                   {summary.failed}",
                f"  niet meer nodig:           {summary.cancelled}",
                f"  onzeker, wordt nagevraagd: {summary.unsure}",
                f"  nagevraagd bij provider:   {summary.reconciled}",
                f"  duur:                      {summary.seconds:.1f} s".replace(".", ","),
            ]
        )
    )
