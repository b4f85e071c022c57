"""`followup outcome CLIENT_REF CATEGORY`: record an outcome that reached the team another
way (a letter, a visit, a call to the front desk)."""

import argparse

from followup.cli.runtime import CLI_ACTOR, OK, Refused, database, load_settings
from followup.clock import utc_now
from followup.rules.domain import OUTCOME_LABELS_NL, OutcomeCategory, UnreachableReason
from followup.services.back_office import OutcomeError, record_back_office_outcome


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "outcome",
        help="leg een uitkomst vast die op een andere manier binnenkwam",
        description="Legt de uitkomst vast van de lopende opvolging van een inwoner, "
        "bijvoorbeeld na een brief, een bezoek of een telefoontje naar de balie. "
        "De opvolging wordt daarmee afgesloten.",
    )
    parser.add_argument("client_ref", metavar="KLANTNUMMER")
    parser.add_argument(
        "category",
        metavar="UITKOMST",
        choices=[c.value for c in OutcomeCategory],
        help=", ".join(f"{c.value} ({OUTCOME_LABELS_NL[c]})" for c in OutcomeCategory),
    )
    parser.add_argument(
        "--reason",
        choices=[r.value for r in UnreachableReason],
        help="alleen bij unreachable: waarom de inwoner niet bereikt is",
    )
    parser.add_argument("--note", metavar="TEKST", help="korte toelichting")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    category = OutcomeCategory(args.category)
    async with database(settings) as sessions:
        try:
            await record_back_office_outcome(
                sessions,
                client_ref=args.client_ref,
                category=category,
                reason=UnreachableReason(args.reason) if args.reason else None,
                note=args.note,
                now=utc_now(),
                actor=CLI_ACTOR,
            )
        except OutcomeError as error:
            raise Refused(str(error)) from None
    print(f"uitkomst '{OUTCOME_LABELS_NL[category]}' vastgelegd voor klant {args.client_ref}")
    return OK
