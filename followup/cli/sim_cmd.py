"""`followup sim-carrier`: the simulated carrier on its own, for demos and manual tests."""

import argparse

from followup.carrier_urls import CarrierUrls
from followup.cli.runtime import OK, listen, load_settings


def _seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is geen aantal seconden") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("moet groter zijn dan 0")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "sim-carrier",
        help="start de nagespeelde telefoonprovider (sms en bellen zonder echte telefoons)",
        description=(
            "Speelt de telefoonprovider na: de dienst verstuurt sms'jes en belt via deze "
            "simulatie. Op /sim/phone ziet u wat de telefoon van een inwoner krijgt."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="adres (standaard 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8090, help="poort (standaard 8090; 0: een vrije poort)"
    )
    parser.add_argument(
        "--pace",
        type=_seconds,
        default=1.0,
        metavar="SECONDEN",
        help="tijd tussen twee stappen, zoals verstuurd en ontvangen (standaard 1)",
    )
    parser.add_argument(
        "--no-callbacks",
        action="store_true",
        help="stuur de dienst geen statusmeldingen (voor metingen van de verzendsnelheid)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # The web server and the simulator load for this command only: the others start faster.
    from aiohttp import web

    from dialer.sim import SimCarrier, SimConfig, create_sim_app

    settings = load_settings()
    carrier = SimCarrier(
        SimConfig(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            default_from=settings.twilio_from,
            inbound_sms_url=CarrierUrls(settings.public_url).inbound_sms,
            callbacks=not args.no_callbacks,
            pace=args.pace,
        )
    )
    sock = listen(args.host, args.port)
    base = f"http://{args.host}:{sock.getsockname()[1]}"
    web.run_app(
        create_sim_app(carrier),
        sock=sock,
        access_log=None,  # its lines would show phone numbers (Lookup and /sim/phone paths)
        shutdown_timeout=2.0,
        print=lambda _: print(
            f"de nagespeelde telefoonprovider draait op {base}/ "
            f"(telefoon van de inwoner: {base}/sim/phone; stoppen met Ctrl+C)",
            flush=True,
        ),
    )
    return OK
