"""`followup worker`: the scheduler and the dialer without the web app, for installations
that run the web app in processes of its own (`followup serve --web-only`)."""

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from followup.cli.credentials import check_settings, with_sim_token
from followup.cli.runtime import ATTENTION, OK, load_settings
from followup.heartbeat import STALE_AFTER_SECONDS, age_seconds
from followup.settings import Settings

log = logging.getLogger(__name__)
HEARTBEAT_FILE = Path("followup-worker.heartbeat")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "worker",
        help="start het plannen en versturen zonder webapp",
        description=(
            "Plant en verstuurt zoals 'followup serve', maar zonder webapp: de webapp draait "
            "dan apart met 'followup serve --web-only'. Stoppen met Ctrl+C of SIGTERM: wat nog "
            "bezig is, krijgt eerst even de tijd om af te ronden."
        ),
    )
    parser.add_argument(
        "--heartbeat",
        type=Path,
        default=HEARTBEAT_FILE,
        metavar="BESTAND",
        help=f"bestand dat elke paar seconden wordt vernieuwd (standaard {HEARTBEAT_FILE})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="start niets, maar kijk of een draaiende worker leeft: exit 0 als het bestand "
        f"van --heartbeat minder dan {STALE_AFTER_SECONDS} seconden oud is, anders 1",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.check:
        return _check(args.heartbeat)
    settings = load_settings()
    check_settings(settings, demo=False, takes_webhooks=False)
    return asyncio.run(_work(settings, args.heartbeat))


def _check(heartbeat: Path) -> int:
    age = age_seconds(heartbeat)
    if age is None:
        print(f"followup worker: geen teken van leven ({heartbeat} bestaat niet)")
        return ATTENTION
    if age > STALE_AFTER_SECONDS:
        print(f"followup worker: geen teken van leven sinds {age:.0f} seconden")
        return ATTENTION
    print("followup worker: leeft")
    return OK


async def _work(settings: Settings, heartbeat: Path) -> int:
    # The scheduler, the carrier library and the simulator load for this command only.
    from aiohttp import web

    from followup.app import create_worker
    from followup.cli.serve_cmd import prepare

    secret_key = await prepare(settings, demo=False)
    settings = with_sim_token(settings, secret_key, demo=False)
    heartbeat.unlink(missing_ok=True)  # one from an earlier run says nothing about this one
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(create_worker(settings, secret_key=secret_key, heartbeat=heartbeat))
    await runner.setup()  # starts the database, the dialer and the scheduler; no server
    try:
        print("followup worker draait: plant en verstuurt (stoppen met Ctrl+C)", flush=True)
        await stop.wait()
        log.info("worker stopping: finishing the passes under way")
    finally:
        await runner.cleanup()  # the scheduler stops and gives up the lock, then the rest
    log.info("worker stopped")
    return OK
