"""`followup user add EMAIL --role ROLE`: create a user; the password comes from stdin."""

import argparse
import getpass
import sys

from followup.cli.runtime import CLI_ACTOR, OK, Refused, database, load_settings
from followup.clock import utc_now
from followup.rules.domain import Role
from followup.services.users import UserError, add_user


def register(commands: argparse._SubParsersAction) -> None:
    user = commands.add_parser("user", help="gebruikers beheren")
    actions = user.add_subparsers(dest="user_action", required=True, metavar="ACTIE")
    add = actions.add_parser(
        "add",
        help="maak een gebruiker aan",
        description="Maakt een gebruiker aan. Het wachtwoord wordt gelezen van stdin "
        "(de eerste regel), of gevraagd als u in een terminal werkt.",
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help="agent, coordinator of admin"
    )
    add.add_argument(
        "--phone",
        metavar="NUMMER",
        help="eigen telefoon van een medewerker: bij bellen gaat dit toestel eerst over, "
        "daarna wordt de inwoner gebeld",
    )
    add.set_defaults(handler=run_add)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Wachtwoord: ")
        if getpass.getpass("Nog een keer: ") != first:
            raise Refused("de wachtwoorden zijn niet gelijk")
        return first
    return sys.stdin.readline().rstrip("\r\n")


async def run_add(args: argparse.Namespace) -> int:
    settings = load_settings()
    password = _read_password()
    async with database(settings) as sessions:
        try:
            user_id = await add_user(
                sessions,
                email=args.email,
                role=Role(args.role),
                password=password,
                now=utc_now(),
                actor=CLI_ACTOR,
                phone=args.phone,
            )
        except UserError as error:
            raise Refused(str(error)) from None
    print(f"gebruiker {args.email.strip().lower()} aangemaakt (nummer {user_id}, rol {args.role})")
    return OK
