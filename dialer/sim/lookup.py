"""Lookup v2 (`GET /v2/PhoneNumbers/{number}`): whether a number is valid and, when asked
with Fields=line_type_intelligence, what kind of line it is."""

from typing import Any

import phonenumbers
from aiohttp import web

from dialer.sim.behaviour import destination

routes = web.RouteTableDef()

LOOKUP_HOST = "https://lookups.twilio.com"
LINE_TYPE_INTELLIGENCE = "line_type_intelligence"
# Lookup packages the simulator does not offer: always null, as when not asked for.
OTHER_PACKAGES = (
    "caller_name",
    "sim_swap",
    "call_forwarding",
    "line_status",
    "identity_match",
    "reassigned_number",
    "sms_pumping_risk",
    "phone_number_quality_score",
    "pre_fill",
)
SIM_NETWORK = {
    "carrier_name": "Sim Mobiel",
    "mobile_country_code": "204",
    "mobile_network_code": "04",
    "error_code": None,
}


def lookup_json(raw: str, fields: set[str]) -> dict[str, Any]:
    number = destination(raw)
    parsed = number.number
    line_type = number.line_type
    intelligence = None
    if LINE_TYPE_INTELLIGENCE in fields and line_type is not None:
        intelligence = {"type": line_type, **SIM_NETWORK}
    return {
        "calling_country_code": None if parsed is None else str(parsed.country_code),
        "country_code": None if parsed is None else phonenumbers.region_code_for_number(parsed),
        "phone_number": number.identity,
        "national_format": None
        if parsed is None
        else phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
        "valid": number.valid,
        "validation_errors": number.validation_errors(),
        LINE_TYPE_INTELLIGENCE: intelligence,
        **dict.fromkeys(OTHER_PACKAGES),
        "url": f"{LOOKUP_HOST}/v2/PhoneNumbers/{number.identity}",
    }


@routes.get("/v2/PhoneNumbers/{number}")
async def lookup(request: web.Request) -> web.Response:
    fields = {field.strip() for field in request.query.get("Fields", "").split(",")}
    return web.json_response(lookup_json(request.match_info["number"], fields))
