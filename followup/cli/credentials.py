"""Settings that must be safe before a process sends or takes the carrier's webhooks: real
credentials for a real carrier, a secret key that cannot be guessed, and, outside the demo,
a simulated carrier that does not sign with its public token (anyone could forge a STOP)."""

from followup.cli.runtime import Refused
from followup.rules.secret_strength import HOW_TO_MAKE_ONE, weakness
from followup.services.secret_key import sim_auth_token
from followup.settings import (
    SIM_ACCOUNT_SID,
    SIM_AUTH_TOKEN,
    SIM_FROM,
    Settings,
)

_SIM_VALUES = {
    "twilio_account_sid": SIM_ACCOUNT_SID,
    "twilio_auth_token": SIM_AUTH_TOKEN,
    "twilio_from": SIM_FROM,
}


def _variable(field: str) -> str:
    return f"FOLLOWUP_{field.upper()}"


def check_settings(settings: Settings, *, demo: bool, takes_webhooks: bool) -> None:
    """Before anything else is done: refuse a real carrier without its credentials, a weak
    secret key, and a simulator elsewhere that signs with the public token for a process
    that takes webhooks outside the demo (it must be given a token of its own)."""
    if settings.carrier == "twilio":
        missing = [
            _variable(field)
            for field, sim_value in _SIM_VALUES.items()
            if field not in settings.model_fields_set or getattr(settings, field) == sim_value
        ]
        if missing:
            raise Refused(
                f"FOLLOWUP_CARRIER=twilio, maar {' en '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'zijn'} niet ingesteld (of nog die van de "
                "nagespeelde provider): vul de gegevens van het Twilio-account in"
            )
    if settings.secret_key and (reason := weakness(settings.secret_key)):
        raise Refused(
            f"FOLLOWUP_SECRET_KEY is te zwak ({reason}); maak een goede met: {HOW_TO_MAKE_ONE}"
        )
    if takes_webhooks and _public_sim_token(settings, demo) and not _sim_here(settings):
        raise Refused(
            "de nagespeelde provider op FOLLOWUP_TWILIO_API_BASE tekent met een openbare "
            "sleutel; die geldt alleen met --demo. Zet FOLLOWUP_TWILIO_AUTH_TOKEN op een eigen "
            "geheime waarde, voor deze dienst en voor 'followup sim-carrier'"
        )


def with_sim_token(settings: Settings, secret_key: str, *, demo: bool) -> Settings:
    """Outside the demo, a simulator in this process signs with a token derived from the
    secret key instead of the public one. (A simulator elsewhere uses what it was given: a
    process that only sends may use that; one that takes webhooks was refused above.)"""
    if _public_sim_token(settings, demo) and _sim_here(settings):
        return settings.model_copy(update={"twilio_auth_token": sim_auth_token(secret_key)})
    return settings


def _public_sim_token(settings: Settings, demo: bool) -> bool:
    return settings.carrier == "sim" and not demo and settings.twilio_auth_token == SIM_AUTH_TOKEN


def _sim_here(settings: Settings) -> bool:
    from followup.dialing import embeds_sim  # the carrier library: for sending commands only

    return embeds_sim(settings)
