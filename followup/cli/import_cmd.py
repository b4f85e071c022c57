"""`followup import FILE`: load clients and their conversation from the municipality's export."""

import argparse
import sys
from pathlib import Path

from followup.cli.progress import Progress
from followup.cli.runtime import (
    ATTENTION,
    CLI_ACTOR,
    OK,
    Refused,
    database,
    load_settings,
    print_json,
)
from followup.clock import utc_now
from followup.services.csv_file import ImportFileError
from followup.services.import_clients import ImportResult, import_clients


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import",
        help="lees klanten en hun gesprek in uit een CSV-bestand",
        description="Leest klanten in uit een CSV-bestand (komma of puntkomma, UTF-8 of "
        "Windows-1252). Afgewezen regels komen in BESTAND.rejects.csv met de reden.",
    )
    parser.add_argument("file", type=Path, metavar="BESTAND", help="het CSV-bestand")
    parser.add_argument(
        "--dry-run", action="store_true", help="controleer alleen; sla niets op in de database"
    )
    parser.add_argument(
        "--json", action="store_true", help="schrijf de uitkomst als JSON naar stdout"
    )
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    now = utc_now()
    progress: Progress | None = None

    def on_progress(done: int, total: int) -> None:
        nonlocal progress
        progress = progress or Progress(total, "inlezen")
        progress.update(done)

    async with database(settings) as sessions:
        try:
            result = await import_clients(
                sessions,
                args.file,
                today=settings.local_date(now),
                now=now,
                actor=CLI_ACTOR,
                dry_run=args.dry_run,
                on_progress=on_progress,
            )
        except ImportFileError as error:
            raise Refused(f"{args.file}: {error}; er is niets ingelezen") from None
    if progress:
        progress.finish()
    if args.json:
        print_json(result.summary())
    else:
        _print_summary(result)
    return ATTENTION if result.rejected else OK


def _print_summary(result: ImportResult) -> None:
    lines = [
        f"{result.file}: {result.rows} regels gelezen"
        + (" (proefimport: er is niets opgeslagen)" if result.dry_run else ""),
        f"  nieuw:                      {result.imported}",
        f"  bijgewerkt:                 {result.updated}",
        f"  ongewijzigd:                {result.unchanged}",
        f"  afgewezen:                  {result.rejected}",
        f"  ongeldige telefoonnummers:  {result.invalid_phone}",
        f"  ongeldige e-mailadressen:   {result.invalid_email}",
    ]
    if result.rejects_file:
        lines.append(f"De afgewezen regels en de reden staan in {result.rejects_file}")
    if result.ignored_columns:
        lines.append("Niet gebruikte kolommen: " + ", ".join(result.ignored_columns))
    if result.windows_1252_lines:
        lines.append(_windows_1252_note(result.windows_1252_lines))
    print("\n".join(lines), file=sys.stdout)


def _windows_1252_note(numbers: tuple[int, ...], shown: int = 10) -> str:
    """The lines of a UTF-8 file that were read as Windows-1252, for the coordinator to check."""
    if len(numbers) == 1:
        return (
            f"Let op: regel {numbers[0]} stond niet in UTF-8 en is gelezen als Windows-1252. "
            "Kijk of letters als é en ë op die regel goed zijn ingelezen."
        )
    listed = [str(n) for n in numbers[:shown]]
    if len(numbers) > shown:
        listed.append(f"nog {len(numbers) - shown} andere")
    return (
        f"Let op: de regels {', '.join(listed[:-1])} en {listed[-1]} stonden niet in UTF-8 en "
        "zijn gelezen als Windows-1252. Kijk of letters als é en ë op die regels goed zijn "
        "ingelezen."
    )
