"""`followup audit verify`: is the audit chain whole? Exit 0 when it is, 1 naming the first
broken record. The head hash printed is worth keeping outside the database: a chain that
someone rewrote from the start on would still end in a different head."""

import argparse
import json

from followup.cli.runtime import ATTENTION, OK, database, load_settings
from followup.clock import utc_now
from followup.rules.audit_chain import BREAK_LABELS_NL
from followup.services.audit_verify import ChainReport, verify_and_remember


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "audit",
        help="controleer de lijst van wie wat heeft bekeken of gewijzigd",
        description="Werken met de controlelijst (audit trail).",
    )
    actions = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTIE")
    verify = actions.add_parser(
        "verify",
        help="controleer of de lijst heel is",
        description="Controleert of de controlelijst heel is: niets veranderd, weggehaald of "
        "tussengevoegd. Exit 0: heel. Exit 1: gebroken; het eerste gebroken record wordt "
        "genoemd.",
    )
    verify.add_argument("--json", action="store_true", help="uitkomst als JSON op stdout")
    verify.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    async with database(load_settings()) as sessions:
        report = await verify_and_remember(sessions, utc_now())
    print(json.dumps(report.as_json()) if args.json else _words(report))
    return OK if report.whole else ATTENTION


def _words(report: ChainReport) -> str:
    head = f"laatste record {report.head_seq}, hash {report.head_hash}"
    broken = report.first_broken
    if broken is None:
        return f"de controlelijst is heel: {report.records} records ({head})"
    where = f"record {broken.seq}" + (f" (id {broken.record_id})" if broken.record_id else "")
    when = f", vastgelegd op {broken.at:%d-%m-%Y %H:%M:%S} UTC" if broken.at else ""
    return (
        f"de controlelijst is gebroken bij {where}{when}: {BREAK_LABELS_NL[broken.kind]} "
        f"({report.records} records gecontroleerd; {head})"
    )
