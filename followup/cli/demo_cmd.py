"""`followup demo-data`: write a realistic import file to try the service with."""

import argparse
from pathlib import Path

from followup.cli.runtime import OK, Refused, load_settings
from followup.clock import utc_now
from followup.demo_data import EXCEL_NL, PLAIN, demo_rows, write_demo_file

STYLES = {"excel-nl": EXCEL_NL, "utf8": PLAIN}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo-data",
        help="schrijf een importbestand met verzonnen inwoners",
        description="Schrijft een CSV-bestand met verzonnen inwoners uit de twaalf Groningse "
        "wijken, met de fouten die in echte bestanden zitten (oude, vaste, ontbrekende en "
        "verkeerd geschreven telefoonnummers).",
    )
    parser.add_argument("--clients", type=int, default=3_000, help="aantal inwoners")
    parser.add_argument("--seed", type=int, default=2015, help="startgetal voor het toeval")
    parser.add_argument(
        "--style",
        choices=sorted(STYLES),
        default="excel-nl",
        help="excel-nl: puntkomma en Windows-1252, zoals Excel; utf8: komma",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("demo-clients.csv"),
        help="het bestand (standaard demo-clients.csv)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.clients < 1:
        raise Refused("--clients moet minstens 1 zijn")
    today = load_settings().local_date(utc_now())
    path = write_demo_file(
        args.output, demo_rows(args.clients, today, args.seed), STYLES[args.style]
    )
    print(f"{args.clients} inwoners geschreven naar {path}")
    return OK
