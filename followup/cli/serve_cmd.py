"""`followup serve`: the web app, the scheduler and the dialer in one process; with
`--web-only` the web app alone (a `followup worker` runs the other two)."""

import argparse
import asyncio
import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.cli.credentials import check_settings, with_sim_token
from followup.cli.runtime import OK, Refused, database, listen, load_settings
from followup.clock import utc_now
from followup.rules.contact_calendar import contact_calendar
from followup.rules.planning_rules import PlanningRules
from followup.services.demo import load_demo_data
from followup.services.planning_settings import PlanningSettingsError, load_rules
from followup.services.secret_key import ensure_secret_key
from followup.settings import Settings
from followup.store.migrate import upgrade

log = logging.getLogger(__name__)
DEMO_DIR = Path("demo-data")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("serve", help="start de webapp")
    parser.add_argument("--host", default="127.0.0.1", help="adres (standaard 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="poort (standaard 8080; 0: een vrije poort)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="maak de database bij en vul een lege database met demogegevens",
    )
    parser.add_argument(
        "--web-only",
        action="store_true",
        help="alleen de webapp: plannen en versturen doet 'followup worker' (een apart proces)",
    )
    parser.set_defaults(handler=run)


async def prepare(settings: Settings, demo: bool) -> str:
    """Everything that must hold before the first request; refuses with a clear message."""
    async with database(settings, require_schema=not demo) as sessions:
        now = utc_now()
        if demo:
            await upgrade(sessions.kw["bind"])
        try:
            rules = await load_rules(sessions)
        except PlanningSettingsError as error:
            raise Refused(f"de planningsinstellingen zijn niet te gebruiken: {error}") from None
        secret_key = await ensure_secret_key(sessions, settings.secret_key, now)
        if demo:
            await _load_demo(sessions, settings, rules, secret_key, now)
        return secret_key


async def _load_demo(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    rules: PlanningRules,
    secret_key: str,
    now: datetime,
) -> None:
    from followup.dialing import outreach_for  # the carrier library: for `serve` only

    # The demo's calendar, as the app will use it: its past runs around the clock too.
    calendar = contact_calendar(settings.zone, demo=True)
    loaded = await load_demo_data(
        sessions,
        DEMO_DIR,
        today=settings.local_date(now),
        now=now,
        outreach=outreach_for(settings, rules, secret_key, calendar),
    )
    if loaded is not None:
        log.info(
            "demo data loaded: %d clients, %d answers, %d calls, %d callback requests, "
            "%d replies to read",
            loaded.imported,
            loaded.lived_in.answered,
            loaded.lived_in.calls,
            loaded.lived_in.callbacks,
            loaded.lived_in.replies_to_read,
        )


def run(args: argparse.Namespace) -> int:
    # The web app, the carrier library and the simulator load for this command only.
    from aiohttp import web

    from followup.app import create_app

    settings = load_settings()
    check_settings(settings, demo=args.demo, takes_webhooks=True)
    sock = listen(args.host, args.port)
    port = sock.getsockname()[1]
    metrics_sock = (
        None
        if settings.metrics_port is None
        else listen(settings.metrics_host, settings.metrics_port)
    )
    if "public_url" not in settings.model_fields_set:
        # The carrier (the simulated one, unless configured) reaches this process here, and
        # the demo's messages link to it.
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        host = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
        settings = settings.model_copy(update={"public_url": f"http://{host}:{port}"})
    secret_key = asyncio.run(prepare(settings, args.demo))
    settings = with_sim_token(settings, secret_key, demo=args.demo)
    runs_jobs = not args.web_only
    app = create_app(
        settings,
        secret_key=secret_key,
        demo=args.demo,
        jobs=runs_jobs,
        dialing=runs_jobs,
        metrics_listener=metrics_sock,
    )
    web.run_app(
        app,
        sock=sock,
        access_log=None,
        print=lambda _: print(
            f"followup draait op http://{args.host}:{port}/ (stoppen met Ctrl+C)", flush=True
        ),
    )
    return OK
