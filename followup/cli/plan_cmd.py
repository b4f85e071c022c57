"""`followup plan`: one planning pass (the scheduler in `serve` runs the same pass)."""

import argparse

from followup.cli.moments import parse_now
from followup.cli.runtime import OK, Refused, database, load_settings, print_json
from followup.rules.contact_calendar import ContactCalendar
from followup.services.planning import PlanResult, run_planning_pass
from followup.services.planning_settings import PlanningSettingsError, load_rules


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "plan",
        help="plan de belrondes: één ronde van de planner",
        description="Opent nabellingen die aan de beurt zijn, opent en sluit belrondes, zet "
        "berichten en belpogingen klaar en sluit nabellingen af die niet bereikt kunnen worden. "
        "Twee keer op hetzelfde moment verandert niets.",
    )
    parser.add_argument(
        "--now",
        metavar="ISO8601",
        help="plan alsof het nu dit moment is (zonder tijdzone: Nederlandse tijd)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="laat zien wat er zou gebeuren; sla niets op"
    )
    parser.add_argument("--json", action="store_true", help="schrijf de uitkomst als JSON")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    now = parse_now(args.now, settings.zone)
    async with database(settings) as sessions:
        try:
            rules = await load_rules(sessions)
        except PlanningSettingsError as error:
            raise Refused(f"de planningsinstellingen zijn niet te gebruiken: {error}") from None
        result = await run_planning_pass(
            sessions,
            now=now,
            rules=rules,
            calendar=ContactCalendar(settings.zone),
            dry_run=args.dry_run,
        )
    if args.json:
        print_json(result.summary())
    else:
        _print(result)
    return OK


def _print(result: PlanResult) -> None:
    print(
        "\n".join(
            [
                f"Planner op {result.now.isoformat(timespec='minutes')}"
                + (" (proef: er is niets opgeslagen)" if result.dry_run else ""),
                f"  nabellingen geopend:      {result.follow_ups_opened}",
                f"  belrondes geopend:        {result.rounds_opened}",
                f"  belrondes gesloten:       {result.rounds_closed}",
                f"  pogingen klaargezet:      {result.attempts_queued}",
                f"  pogingen geschrapt:       {result.attempts_cancelled}",
                f"  nabellingen afgesloten:   {result.follow_ups_closed}",
            ]
        )
    )
