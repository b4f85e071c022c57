"""The `followup` command. Exit codes: 0 done, 1 done but look at something, 2 refused."""

import argparse
import asyncio
import inspect
import sys

from followup.cli import (
    audit_cmd,
    db_cmd,
    demo_cmd,
    dispatch_cmd,
    import_cmd,
    outcome_cmd,
    plan_cmd,
    planning_cmd,
    privacy_cmd,
    report_cmd,
    serve_cmd,
    sim_cmd,
    simulate_cmd,
    user_cmd,
    worker_cmd,
)
from followup.cli.runtime import REFUSED, Refused, setup_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="followup",
        description="Nabellen van inwoners die na een keukentafelgesprek zelf actief worden.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="meer meldingen op stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="OPDRACHT")
    for module in (
        db_cmd,
        import_cmd,
        plan_cmd,
        dispatch_cmd,
        outcome_cmd,
        planning_cmd,
        user_cmd,
        serve_cmd,
        sim_cmd,
        simulate_cmd,
        demo_cmd,
        report_cmd,
        worker_cmd,
        privacy_cmd,
        audit_cmd,
    ):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        setup_logging(args.verbose)
        outcome = args.handler(args)
        return asyncio.run(outcome) if inspect.iscoroutine(outcome) else outcome
    except Refused as refused:
        print(f"followup: {refused}", file=sys.stderr)
        return REFUSED
    except KeyboardInterrupt:
        return 130


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
