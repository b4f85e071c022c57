"""`followup db upgrade`: create or migrate the schema."""

import argparse

from followup.cli.runtime import OK, database, load_settings
from followup.store.migrate import current_revision, upgrade


def register(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="database beheren")
    actions = db.add_subparsers(dest="db_action", required=True, metavar="ACTIE")
    up = actions.add_parser("upgrade", help="maak de tabellen aan of werk ze bij (Alembic)")
    up.set_defaults(handler=run_upgrade)


async def run_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings, require_schema=False) as sessions:
        engine = sessions.kw["bind"]
        before = await current_revision(engine)
        await upgrade(engine)
        after = await current_revision(engine)
    print(
        f"database bijgewerkt van {before or 'leeg'} naar {after}"
        if before != after
        else f"database was al bijgewerkt ({after})"
    )
    return OK
