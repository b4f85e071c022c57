"""`followup purge`, `followup erase CLIENT_REF` and `followup export-client CLIENT_REF`: a
resident's personal data kept no longer than needed, erased on request, and shown on request
(docs/privacy.md)."""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from followup.cli.runtime import CLI_ACTOR, OK, Refused, database, load_settings, print_json
from followup.clock import utc_now
from followup.dutch import file_problem
from followup.rules.erasure import LEGAL_MINIMUM_MONTHS, RetentionError, retention_months
from followup.services.client_export import ExportError, export_client
from followup.services.erasure import ErasureError, erase_client, purge


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "purge",
        help="wis persoonsgegevens van opvolgingen die lang genoeg gesloten zijn",
        description="Wist namen, nummers, adressen, berichten en notities van inwoners van "
        "wie elke opvolging langer dan de bewaartermijn gesloten is. De tellingen in het "
        "bereikrapport blijven gelijk. Een inwoner wordt helemaal gewist of niet; een "
        "onderbroken opruimronde maakt u af door hem opnieuw te starten.",
    )
    parser.add_argument(
        "--older-than",
        metavar="MAANDEN",
        help="bewaartermijn in maanden (standaard FOLLOWUP_RETENTION_MONTHS, 24); "
        f"minstens {LEGAL_MINIMUM_MONTHS}",
    )
    parser.add_argument("--dry-run", action="store_true", help="alleen tellen, niets wissen")
    parser.add_argument("--json", action="store_true", help="de tellingen als JSON op stdout")
    parser.set_defaults(handler=run_purge)

    parser = commands.add_parser(
        "erase",
        help="wis nu alle persoonsgegevens van één inwoner",
        description="Wist de gegevens van één inwoner meteen, op zijn of haar verzoek. Een "
        "lopende opvolging wordt eerst gesloten als 'afgemeld'. Een afmelding blijft gelden: "
        "het nummer wordt ook na het wissen nooit meer gebeld of ge-sms't.",
    )
    parser.add_argument("client_ref", metavar="KLANTNUMMER")
    parser.set_defaults(handler=run_erase)

    parser = commands.add_parser(
        "export-client",
        help="alles wat over één inwoner bewaard is, als JSON",
        description="Schrijft alle gegevens over één inwoner als JSON, voor een verzoek om "
        "inzage. Dit wordt vastgelegd in het logboek.",
    )
    parser.add_argument("client_ref", metavar="KLANTNUMMER")
    parser.add_argument(
        "--output",
        type=Path,
        metavar="BESTAND",
        help="schrijf naar dit nieuwe bestand (alleen leesbaar voor u) in plaats van naar stdout",
    )
    parser.set_defaults(handler=run_export)


async def run_purge(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        months = (
            settings.retention_months
            if args.older_than is None
            else retention_months(args.older_than)
        )
    except RetentionError as error:
        raise Refused(str(error)) from None
    async with database(settings) as sessions:
        result = await purge(
            sessions, now=utc_now(), months=months, actor=CLI_ACTOR, dry_run=args.dry_run
        )
    if args.json:
        print_json(result.summary())
        return OK
    verb = "zou wissen" if result.dry_run else "gewist"
    print(
        f"{verb}: {result.residents} inwoners met {result.follow_ups} opvolgingen "
        f"gesloten vóór {result.cutoff:%Y-%m-%d} ({months} maanden); "
        f"{result.opt_outs_kept} afmeldingen blijven gelden"
    )
    return OK


async def run_erase(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings) as sessions:
        try:
            erased = await erase_client(
                sessions, client_ref=args.client_ref, now=utc_now(), actor=CLI_ACTOR
            )
        except ErasureError as error:
            raise Refused(str(error)) from None
    closed = (
        "; de lopende opvolging is gesloten als afgemeld" if erased.closed_open_follow_up else ""
    )
    kept = "; de afmelding blijft gelden" if erased.opt_out_kept else ""
    print(f"klant {args.client_ref} is gewist ({erased.follow_ups} opvolgingen){closed}{kept}")
    return OK


async def run_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    output = args.output
    if output is not None and output.exists():
        raise Refused(f"{output} bestaat al: kies een nieuw bestand")
    async with database(settings) as sessions:
        try:
            document = await export_client(
                sessions, client_ref=args.client_ref, now=utc_now(), actor=CLI_ACTOR
            )
        except ExportError as error:
            raise Refused(str(error)) from None
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_plain) + "\n"
    if output is None:
        sys.stdout.write(text)
        return OK
    try:
        # Personal data: a new file only its owner can read, never one overwritten.
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise Refused(f"kan {output} niet schrijven: {file_problem(error)}") from None
    print(f"gegevens van klant {args.client_ref} geschreven naar {output}", file=sys.stderr)
    return OK


def _plain(value: Any) -> str:
    """Dates and times as ISO 8601."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
