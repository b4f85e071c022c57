"""How long the reach simulation takes: 10,000 residents over two rounds, one run of one
strategy (issue 15: under 5 minutes on this machine). Prints the time and what came of it.

    .venv/bin/python scripts/bench_simulate.py [--residents 10000] [--strategy full]
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from followup.rules.reach_model import Assumptions
from followup.services.reach_residents import STRATEGIES, population
from followup.services.reach_simulation import simulate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--strategy", choices=sorted(STRATEGIES), default="full")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    assumptions = Assumptions()
    residents = population(args.residents, args.seed, assumptions)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run = await simulate(
            STRATEGIES[args.strategy], residents, args.seed, Path(folder), assumptions
        )
        seconds = time.perf_counter() - started
    print(
        f"{args.residents} residents, strategy {args.strategy}: {seconds:.1f} s; "
        f"reached {run.reached} ({run.reach:.1%}), {run.calls} calls, "
        f"{run.minutes_per_reached:.1f} agent minutes per resident reached"
    )


if __name__ == "__main__":
    asyncio.run(main())
