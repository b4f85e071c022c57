"""`followup simulate`: what a way of working does to reach, played through the service with
made-up residents (`services/reach_simulation.py`; the assumptions in `docs/reach.md`)."""

import argparse
import json
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict

from followup.cli.runtime import OK, Refused
from followup.dutch import percent
from followup.rules.reach_model import Assumptions, interval
from followup.services.reach_residents import STRATEGIES
from followup.services.reach_simulation import Run, simulate_in_process

MAX_RESIDENTS = 100_000
MAX_SEEDS = 20


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "simulate",
        help="bereik per werkwijze, gesimuleerd met verzonnen inwoners",
        description="Speelt verzonnen inwoners door de planning, de dialer en de webhooks, met "
        "de gesimuleerde provider en een snelle klok, twee rondes lang. Vergelijkt het "
        "bereik en de belminuten per bereikte inwoner van verschillende werkwijzen, onder "
        "dezelfde aannames. De aannames en hun bronnen staan in docs/reach.md.",
    )
    parser.add_argument("--residents", type=int, default=1_000, help="inwoners per run")
    parser.add_argument("--seeds", type=int, default=3, help="runs per werkwijze (startgetallen)")
    parser.add_argument(
        "--strategies",
        default=",".join(STRATEGIES),
        help=f"werkwijzen, met komma's: {', '.join(STRATEGIES)} (standaard alle)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="runs tegelijk (processen)")
    parser.add_argument("--json", action="store_true", help="uitvoer als JSON, voor programma's")
    parser.set_defaults(handler=run)


def _checked(args: argparse.Namespace) -> list[str]:
    if not 1 <= args.residents <= MAX_RESIDENTS:
        raise Refused(f"--residents moet tussen 1 en {MAX_RESIDENTS:,} liggen".replace(",", "."))
    if not 1 <= args.seeds <= MAX_SEEDS:
        raise Refused(f"--seeds moet tussen 1 en {MAX_SEEDS} liggen")
    if not 1 <= args.jobs <= 8:
        raise Refused("--jobs moet tussen 1 en 8 liggen")
    names = [name.strip() for name in args.strategies.split(",") if name.strip()]
    unknown = [name for name in names if name not in STRATEGIES]
    if unknown or not names:
        named = ", ".join(unknown) or "(geen)"
        raise Refused(f"onbekende werkwijze {named}; kies uit {', '.join(STRATEGIES)}")
    return names


def run(args: argparse.Namespace) -> int:
    names = _checked(args)
    assumptions = Assumptions()
    with (
        tempfile.TemporaryDirectory(prefix="followup-simulate-") as folder,
        ProcessPoolExecutor(max_workers=args.jobs) as pool,
    ):
        futures = {
            (name, seed): pool.submit(
                simulate_in_process, name, args.residents, seed, folder, assumptions
            )
            for name in names
            for seed in range(1, args.seeds + 1)
        }
        runs = {key: future.result() for key, future in futures.items()}
    summary = [_summary(name, [runs[name, s] for s in range(1, args.seeds + 1)]) for name in names]
    if args.json:
        print(
            json.dumps(
                {
                    "residents": args.residents,
                    "seeds": args.seeds,
                    "assumptions": asdict(assumptions),
                    "strategies": summary,
                },
                indent=2,
            )
        )
    else:
        _print_table(args, summary, assumptions)
    return OK


def _summary(name: str, runs: list[Run]) -> dict:
    reach = interval([r.reach for r in runs])
    minutes = [m for r in runs if (m := r.minutes_per_reached) is not None]
    return {
        "name": name,
        "title": STRATEGIES[name].title,
        "reach": asdict(reach),
        "minutes_per_reached": asdict(interval(minutes)) if minutes else None,
        "runs": [{**asdict(r), "reach": r.reach} for r in runs],
    }


def _print_table(args: argparse.Namespace, summary: list[dict], assumptions: Assumptions) -> None:
    print(
        f"Bereik per werkwijze: {args.residents} inwoners, {args.seeds} runs per werkwijze, "
        "twee rondes; tussen haakjes het 95%-interval."
    )
    print()
    print(f"{'werkwijze':<10} {'bereik':<24} belminuten per bereikte inwoner")
    for row in summary:
        reach = row["reach"]
        minutes = row["minutes_per_reached"]
        shown = f"{minutes['mean']:.1f}".replace(".", ",") if minutes else "-"
        span = f"{percent(reach['mean'])} ({percent(reach['low'])}-{percent(reach['high'])})"
        print(f"{row['name']:<10} {span:<24} {shown}")
    print()
    for row in summary:
        print(f"{row['name']}: {row['title']}")
    print()
    print("Aannames (docs/reach.md zegt waar ze vandaan komen):")
    for line in assumptions.lines():
        print(f"  {line}")
