"""`/beheer`, for admins: the users (add one, disable one, set an agent's phone) and the
latest audit records. The same services as `followup user add`; each change is audited."""

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from followup.app_keys import CLOCK, SESSIONS, SETTINGS
from followup.dutch import sentence
from followup.rules.domain import AuditAction, Role
from followup.rules.passwords import MIN_LENGTH
from followup.services.users import (
    UserError,
    add_user,
    admin_overview,
    disable_user,
    set_phone,
)
from followup.web.access import allow, signed_in

routes = web.RouteTableDef()
ADMIN_PATH = "/beheer"
ROLE_LABELS = {Role.AGENT: "Belteam", Role.COORDINATOR: "Coördinator", Role.ADMIN: "Beheerder"}
# `?melding=` names one of these, never text of its own.
NOTICES = {
    "toegevoegd": "De gebruiker is toegevoegd.",
    "uitgezet": "De gebruiker is uitgezet en overal uitgelogd.",
    "telefoon": "Het telefoonnummer is opgeslagen.",
}
AUDIT_LABELS = {
    AuditAction.CLIENTS_IMPORTED: "Inwoners ingelezen",
    AuditAction.CLIENTS_WRITTEN: "Deel van een bestand ingelezen",
    AuditAction.OUTCOME_RECORDED: "Uitkomst vastgelegd",
    AuditAction.QUEUE_VIEWED: "Belwachtrij bekeken",
    AuditAction.CALL_TAKEN: "Gesprek opgepakt",
    AuditAction.REPLY_REVIEWED: "Antwoord gelezen",
    AuditAction.SIGNED_IN: "Ingelogd",
    AuditAction.SIGN_IN_LOCKED: "Inloggen tijdelijk geblokkeerd",
    AuditAction.PASSWORD_CHANGED: "Eigen wachtwoord gewijzigd",
    AuditAction.USER_ADDED: "Gebruiker toegevoegd",
    AuditAction.USER_DISABLED: "Gebruiker uitgezet",
    AuditAction.USER_PHONE_CHANGED: "Telefoonnummer van gebruiker gewijzigd",
    AuditAction.PLANNING_CHANGED: "Planning gewijzigd",
    AuditAction.CARD_OPENED: "Kaart van inwoner geopend",
    AuditAction.CALL_WRAPPED_UP: "Gesprek afgerond",
    AuditAction.CONTACT_CHANGED: "Contactgegevens gewijzigd",
    AuditAction.SMS_SENT: "Sms gestuurd",
    AuditAction.TEMPLATES_CHANGED: "Sms-teksten gewijzigd",
    AuditAction.PACING_LIMITS_CHANGED: "Tempo: aantal per week gewijzigd",
    AuditAction.WIJK_HELD: "Tempo: wijk vastgehouden",
    AuditAction.WIJK_RELEASED: "Tempo: wijk vrijgegeven",
    AuditAction.CHANNEL_PAUSED: "Tempo: kanaal gepauzeerd",
    AuditAction.CHANNEL_RESUMED: "Tempo: kanaal hervat",
    AuditAction.REPORT_DOWNLOADED: "Bereikrapport gedownload",
    AuditAction.REPORT_EXPORTED: "Bereikrapport gemaakt met de opdrachtregel",
    AuditAction.AUDIT_VIEWED: "Controlelijst van een inwoner bekeken",
    AuditAction.CARE_MARKED: "Zorgsignaal gegeven",
    AuditAction.CARE_HANDED_OVER: "Overgedragen aan het WIJ-team",
    AuditAction.CARE_WORDS_CHANGED: "Zorgwoorden aangepast",
    AuditAction.RESIDENTS_ERASED: "Gegevens van inwoners gewist",
    AuditAction.RETENTION_PURGED: "Oude gegevens opgeruimd (bewaartermijn)",
    AuditAction.CLIENT_EXPORTED: "Alle gegevens van een inwoner opgevraagd",
}


async def _page(
    request: web.Request,
    *,
    error: str | None = None,
    added: MultiDictProxy | None = None,
    status: int = 200,
) -> web.Response:
    context = {
        "agent": signed_in(request),  # the header shows who is signed in
        "overview": await admin_overview(request.app[SESSIONS]),
        "roles": ROLE_LABELS,
        "audit_labels": AUDIT_LABELS,
        "zone": request.app[SETTINGS].zone,
        "notice": NOTICES.get(request.query.get("melding", "")),
        "error": error,
        "added": added or {},
        "min_length": MIN_LENGTH,
    }
    return aiohttp_jinja2.render_template("admin.html", request, context, status=status)


def _done(code: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"{ADMIN_PATH}?melding={code}")


@routes.get(ADMIN_PATH)
@allow(Role.ADMIN)
async def admin_page(request: web.Request) -> web.Response:
    return await _page(request)


@routes.post(ADMIN_PATH + "/gebruikers")
@allow(Role.ADMIN)
async def add(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        role = Role(str(form.get("rol", "")))
    except ValueError:
        return await _page(request, error="Kies een rol.", added=form, status=400)
    try:
        await add_user(
            request.app[SESSIONS],
            email=str(form.get("email", "")),
            role=role,
            password=str(form.get("wachtwoord", "")),
            now=request.app[CLOCK](),
            actor=signed_in(request).email,
            phone=str(form.get("telefoon", "")).strip() or None,
        )
    except UserError as error:
        return await _page(request, error=sentence(str(error)), added=form, status=400)
    raise _done("toegevoegd")


@routes.post(ADMIN_PATH + "/gebruikers/{user_id:\\d+}/uitzetten")
@allow(Role.ADMIN)
async def disable(request: web.Request) -> web.StreamResponse:
    user_id = int(request.match_info["user_id"])
    try:
        await disable_user(
            request.app[SESSIONS], user_id, by=signed_in(request), now=request.app[CLOCK]()
        )
    except UserError as error:
        return await _page(request, error=sentence(str(error)), status=400)
    raise _done("uitgezet")


@routes.post(ADMIN_PATH + "/gebruikers/{user_id:\\d+}/telefoon")
@allow(Role.ADMIN)
async def phone(request: web.Request) -> web.StreamResponse:
    user_id = int(request.match_info["user_id"])
    number = str((await request.post()).get("telefoon", ""))
    try:
        await set_phone(
            request.app[SESSIONS], user_id, number, by=signed_in(request), now=request.app[CLOCK]()
        )
    except UserError as error:
        return await _page(request, error=sentence(str(error)), status=400)
    raise _done("telefoon")
