"""Every route of the app says who may use it: a route added without a rule fails here, and
the middleware refuses it at run time too (denied by default)."""

import pytest
from aiohttp import web

from followup.app import create_app
from followup.rules.domain import Role
from followup.settings import Settings
from followup.web.access import STAFF, allow, enforce_access, public, rule_of

SECRET = "a-test-secret-key-that-signs-response-links"
# What only staff may use, and which roles. A new staff route is added here on purpose.
STAFF_ROUTES = {
    ("GET", "/belwachtrij"): set(STAFF),
    ("GET", "/belwachtrij/live"): set(STAFF),
    ("POST", "/belwachtrij/gesprekken/{attempt_id}"): {Role.AGENT},
    ("POST", "/belwachtrij/antwoorden/{message_id}"): set(STAFF),
    ("GET", "/wachtwoord"): set(STAFF),
    ("POST", "/wachtwoord"): set(STAFF),
    ("GET", "/beheer"): {Role.ADMIN},
    ("POST", "/beheer/gebruikers"): {Role.ADMIN},
    ("POST", "/beheer/gebruikers/{user_id}/uitzetten"): {Role.ADMIN},
    ("POST", "/beheer/gebruikers/{user_id}/telefoon"): {Role.ADMIN},
    ("GET", "/beheer/audit"): {Role.ADMIN},
    ("POST", "/beheer/audit/controleren"): {Role.ADMIN},
    ("POST", "/belwachtrij/volgende"): {Role.AGENT},
    ("GET", "/belwachtrij/inwoners/{client_id}"): set(STAFF),
    ("GET", "/belwachtrij/inwoners/{client_id}/live"): set(STAFF),
    ("POST", "/belwachtrij/inwoners/{client_id}/bellen"): {Role.AGENT},
    ("POST", "/belwachtrij/inwoners/{client_id}/sms"): {Role.AGENT},
    ("POST", "/belwachtrij/inwoners/{client_id}/afronden"): set(STAFF),
    ("POST", "/belwachtrij/inwoners/{client_id}/zorgsignaal"): {Role.AGENT, Role.COORDINATOR},
    # Only the named colleague, a coordinator or an admin: the service decides (rules/care.py).
    ("POST", "/belwachtrij/inwoners/{client_id}/overgedragen"): set(STAFF),
    ("GET", "/belwachtrij/sjablonen"): {Role.COORDINATOR, Role.ADMIN},
    ("POST", "/belwachtrij/sjablonen"): {Role.COORDINATOR, Role.ADMIN},
    ("GET", "/zorgwoorden"): {Role.COORDINATOR, Role.ADMIN},
    ("POST", "/zorgwoorden"): {Role.COORDINATOR, Role.ADMIN},
    ("GET", "/tempo"): {Role.COORDINATOR, Role.ADMIN},
    ("POST", "/tempo/aantallen"): {Role.COORDINATOR, Role.ADMIN},
    ("POST", "/tempo/wijk/aantal"): {Role.COORDINATOR, Role.ADMIN},
    ("POST", "/tempo/wijk/{action}"): {Role.COORDINATOR, Role.ADMIN},
    ("POST", "/tempo/kanaal/{action}"): {Role.COORDINATOR, Role.ADMIN},
    ("GET", "/bereik"): {Role.COORDINATOR, Role.ADMIN},
    ("GET", "/bereik/download.xlsx"): {Role.COORDINATOR, Role.ADMIN},
    ("GET", "/bereik/download.csv"): {Role.COORDINATOR, Role.ADMIN},
    ("GET", "/planning"): {Role.COORDINATOR, Role.ADMIN},
    ("POST", "/planning"): {Role.COORDINATOR, Role.ADMIN},
}
# Public routes whose forms must still come from this site (Origin and CSRF token checked).
OWN_FORMS = {("POST", "/inloggen"), ("POST", "/uitloggen")}


def _routes() -> list[web.AbstractRoute]:
    # With a metrics token, so /metrics is among the routes.
    settings = Settings(_env_file=None, metrics_token="a-token-for-prometheus-only")
    app = create_app(settings, secret_key=SECRET, jobs=False)
    return [route for route in app.router.routes() if route.method != "HEAD"]


def test_every_route_has_a_rule():
    missing = [route.resource.canonical for route in _routes() if rule_of(route) is None]
    assert missing == []


def test_staff_routes_are_exactly_the_listed_ones_with_their_roles():
    staff = {
        (route.method, route.resource.canonical): set(rule.roles)
        for route in _routes()
        if (rule := rule_of(route)) is not None and rule.roles
    }
    assert staff == STAFF_ROUTES


def test_staff_forms_and_sign_in_and_out_are_checked_and_nothing_else_public():
    checked = {
        (route.method, route.resource.canonical)
        for route in _routes()
        if route.method == "POST" and rule_of(route).own_forms
    }
    staff_posts = {route for route in STAFF_ROUTES if route[0] == "POST"}
    # Not the response page: its signed link is its key, and Chromium sends `Origin: null`.
    assert checked == staff_posts | OWN_FORMS


def test_a_public_route_says_why():
    for route in _routes():
        rule = rule_of(route)
        assert rule is not None and (rule.roles or rule.why_public), route.resource.canonical


def test_allow_without_roles_is_a_mistake():
    with pytest.raises(ValueError, match="public"):
        allow()


async def _forgotten(request: web.Request) -> web.Response:
    return web.Response(text="forgotten")


@public("a test")
async def _open(request: web.Request) -> web.Response:
    return web.Response(text="open")


async def test_a_route_without_a_rule_is_refused(aiohttp_client):
    app = web.Application(middlewares=[enforce_access])
    app.router.add_get("/forgotten", _forgotten)
    app.router.add_get("/open", _open)
    client = await aiohttp_client(app)
    assert (await client.get("/forgotten")).status == 403
    assert (await client.get("/open")).status == 200
    assert (await client.get("/nowhere")).status == 404
