"""`followup planning show|set`: the rounds, ladder and contact windows, changed without code."""

import argparse
import json
from pathlib import Path

from followup.cli.runtime import CLI_ACTOR, OK, Refused, database, load_settings
from followup.clock import utc_now
from followup.dutch import file_problem
from followup.services.planning_settings import (
    PlanningSettingsError,
    load_rules,
    parse_rules,
    save_rules,
)


def register(commands: argparse._SubParsersAction) -> None:
    planning = commands.add_parser("planning", help="instellingen van de planner")
    actions = planning.add_subparsers(dest="planning_action", required=True, metavar="ACTIE")
    show = actions.add_parser("show", help="toon de instellingen als JSON")
    show.set_defaults(handler=run_show)
    change = actions.add_parser(
        "set",
        help="vervang de instellingen door die in een JSON-bestand",
        description="Vervangt de instellingen (rondes, belladder, tijden). Een wijziging geldt "
        "voor rondes die daarna beginnen. Begin met de uitvoer van 'followup planning show'.",
    )
    change.add_argument("file", type=Path, metavar="BESTAND")
    change.set_defaults(handler=run_set)


async def run_show(args: argparse.Namespace) -> int:
    async with database(load_settings()) as sessions:
        try:
            rules = await load_rules(sessions)
        except PlanningSettingsError as error:
            raise Refused(f"de opgeslagen instellingen zijn niet te gebruiken: {error}") from None
    print(json.dumps(rules.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return OK


async def run_set(args: argparse.Namespace) -> int:
    try:
        document = args.file.read_bytes()
    except OSError as error:
        raise Refused(f"kan {args.file} niet lezen: {file_problem(error)}") from None
    try:
        rules = parse_rules(document)
    except PlanningSettingsError as error:
        raise Refused(f"{args.file}: {error}; er is niets veranderd") from None
    async with database(load_settings()) as sessions:
        await save_rules(sessions, rules, now=utc_now(), actor=CLI_ACTOR)
    print(
        "de planningsinstellingen zijn bijgewerkt; ze gelden voor rondes die nu nog moeten beginnen"
    )
    return OK
