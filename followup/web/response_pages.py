"""The response page residents open from the link in our e-mail: the same answers as by SMS,
no login, usable on a phone, in plain Dutch. It shows nothing about the resident, so a
forwarded link reveals nobody."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CALENDAR, CLOCK, RULES, SECRET_KEY, SESSIONS, SETTINGS
from followup.rules.call_parts import PART_NAMES, offered_parts
from followup.rules.email_addresses import MAX_EMAIL
from followup.rules.phones import MAX_RAW_LENGTH
from followup.rules.response_links import Expired, Invalid, read_token
from followup.rules.self_service import CorrectionProblem, Verdict
from followup.rules.sms_replies import ANSWER_CHOICES
from followup.services.replies import answer_by_link, call_part_by_link, link_is_open
from followup.services.self_service import (
    CodeSettings,
    FollowUpClosed,
    confirm_code,
    correct_email,
    request_code,
)
from followup.web.access import public

routes = web.RouteTableDef()

# The link is the only key: keep it out of caches, other sites' logs and search engines.
PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def _page(
    request: web.Request,
    title: str,
    *lines: str,
    status: int = 200,
    choices=None,
    parts=None,
    **shown,
):
    """`shown`: which of the forms to show (phone_form, email_form, code_form), a `problem`
    to show above them, `back` for a link to the questions."""
    router, token = request.app.router, request.match_info
    response = aiohttp_jinja2.render_template(
        "response.html",
        request,
        {
            "title": title,
            "lines": lines,
            "choices": choices,
            "parts": parts,
            "parts_url": router["response_call_part"].url_for(**token),
            "urls": {
                "form": router["response_form"].url_for(**token),
                "number": router["response_number"].url_for(**token),
                "code": router["response_code"].url_for(**token),
                "email": router["response_email"].url_for(**token),
            },
            "team_number": request.app[SETTINGS].team_number,
            **shown,
        },
        status=status,
    )
    response.headers.update(PRIVATE)
    return response


def _follow_up_id(request: web.Request) -> int | web.Response:
    """The link's follow-up, or the page that says why the link cannot be used."""
    app = request.app
    today = app[SETTINGS].local_date(app[CLOCK]())
    try:
        return read_token(app[SECRET_KEY], request.match_info["token"], today)
    except Expired:
        return _page(
            request,
            "Deze link is verlopen",
            "U kunt ons nog wel een sms sturen, of de gemeente bellen.",
            status=410,
        )
    except Invalid:
        return _page(
            request,
            "Deze link klopt niet",
            "Kijk of u de hele link uit de e-mail heeft gebruikt.",
            status=404,
        )


def _already_answered(request: web.Request) -> web.Response:
    return _page(request, "U heeft al geantwoord", "Dank u wel. U hoeft niets meer te doen.")


@routes.get("/antwoord/{token}", name="response_form")
@public("the signed link in the URL is the resident's key")
async def response_form(request: web.Request) -> web.Response:
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    if not await link_is_open(request.app[SESSIONS], follow_up_id):
        return _already_answered(request)
    return _page(
        request,
        "Hoe gaat het met u?",
        "Een tijd geleden sprak u met ons over wat u zelf wilde gaan doen. "
        "We willen graag weten hoe het nu gaat.",
        choices=[(value, label) for value, (label, _) in ANSWER_CHOICES.items()],
        parts=offered_parts(await request.app[RULES].get()).items(),
    )


@routes.post("/antwoord/{token}")
@public("the signed link in the URL is the resident's key")
async def response_answer(request: web.Request) -> web.Response:
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    choice = ANSWER_CHOICES.get((await request.post()).get("keuze", ""))
    if choice is None:
        raise web.HTTPSeeOther(request.app.router["response_form"].url_for(**request.match_info))
    confirmation = await answer_by_link(
        request.app[SESSIONS], follow_up_id, choice[1], request.app[CLOCK]()
    )
    if confirmation is None:
        return _already_answered(request)
    return _page(request, "Dank u wel", confirmation)


@routes.post("/antwoord/{token}/beltijd", name="response_call_part")
@public("the signed link in the URL is the resident's key")
async def response_call_part(request: web.Request) -> web.Response:
    """The part of the day to be called in. Any of the three is taken, like by SMS: one the
    page does not offer moves into the call window, and the answer says when."""
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    part = (await request.post()).get("dagdeel", "")
    if part not in PART_NAMES:
        return _page(
            request,
            "Dit moment kunt u niet kiezen",
            "Kies de ochtend, de middag of de avond.",
            status=400,
        )
    app = request.app
    confirmation = await call_part_by_link(
        app[SESSIONS], follow_up_id, part, app[CLOCK](), app[CALENDAR]
    )
    if confirmation is None:
        return _already_answered(request)
    return _page(request, "Dank u wel", confirmation)


def _field(form, name: str) -> str:
    """A text field's value; anything else (a file, nothing) is empty."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _code_settings(request: web.Request, rules) -> CodeSettings:
    app = request.app
    return CodeSettings(app[SECRET_KEY], rules, app[CALENDAR])


NUMBER_TITLE = "Nieuw mobiel nummer doorgeven"
EMAIL_TITLE = "Nieuw e-mailadres doorgeven"
CODE_TITLE = "Vul de code in"
CODE_SENT = (
    "Wij sturen nu een sms met een code naar het nummer dat u gaf. Dat duurt meestal een "
    "paar minuten. Vul de code hieronder in. De code werkt 30 minuten."
)


async def _open_follow_up(request: web.Request) -> int | web.Response:
    """The link's follow-up while it is open; else the page that says why not."""
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    if not await link_is_open(request.app[SESSIONS], follow_up_id):
        return _already_answered(request)
    return follow_up_id


@routes.get("/antwoord/{token}/nummer", name="response_number")
@public("the signed link in the URL is the resident's key")
async def number_form(request: web.Request) -> web.Response:
    follow_up_id = await _open_follow_up(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    return _page(
        request,
        NUMBER_TITLE,
        "Heeft u een nieuw mobiel nummer? Vul het hieronder in.",
        phone_form=True,
        back=True,
    )


@routes.post("/antwoord/{token}/nummer")
@public("the signed link in the URL is the resident's key")
async def number_given(request: web.Request) -> web.Response:
    """A code to the new number. Nothing is shown of any number, not even the one given."""
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    app = request.app
    raw = _field(await request.post(), "nummer")
    try:
        await request_code(
            app[SESSIONS],
            follow_up_id,
            raw,
            app[CLOCK](),
            _code_settings(request, await app[RULES].get()),
        )
    except FollowUpClosed:
        return _already_answered(request)
    except CorrectionProblem as problem:
        # What the resident just typed, back in the field (cut to what the field takes).
        return _page(
            request,
            NUMBER_TITLE,
            status=400,
            problem=str(problem),
            phone_form=True,
            given=raw.strip()[:MAX_RAW_LENGTH],
            back=True,
        )
    return _page(request, CODE_TITLE, CODE_SENT, code_form=True, back=True)


@routes.post("/antwoord/{token}/code", name="response_code")
@public("the signed link in the URL is the resident's key")
async def code_given(request: web.Request) -> web.Response:
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    app = request.app
    code = _field(await request.post(), "code")
    try:
        verdict = await confirm_code(
            app[SESSIONS], follow_up_id, code, app[CLOCK](), app[SECRET_KEY]
        )
    except FollowUpClosed:
        return _already_answered(request)
    if verdict is Verdict.RIGHT:
        return _page(
            request,
            "Uw nummer is opgeslagen",
            "Dank u wel. Wij gebruiken vanaf nu uw nieuwe mobiele nummer.",
            back=True,
        )
    if verdict is Verdict.WRONG:
        return _page(
            request,
            CODE_TITLE,
            "Kijk nog eens goed in de sms. Vul alleen de 6 cijfers in.",
            status=400,
            problem="Deze code klopt niet.",
            code_form=True,
            back=True,
        )
    if verdict is Verdict.VOID:
        why = "U vulde 3 keer een verkeerde code in."
    elif verdict is Verdict.EXPIRED:
        why = "De code werkt niet meer: hij is ouder dan 30 minuten."
    else:  # nothing waits: never asked, or over already (a form sent twice)
        why = "Er wacht geen code op u."
    return _page(
        request,
        "Uw nummer is niet veranderd",
        why,
        "Wilt u toch een nieuw nummer doorgeven? Vraag dan een nieuwe code aan.",
        status=400,
        phone_form=True,
        back=True,
    )


@routes.get("/antwoord/{token}/email", name="response_email")
@public("the signed link in the URL is the resident's key")
async def email_form(request: web.Request) -> web.Response:
    follow_up_id = await _open_follow_up(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    return _page(
        request,
        EMAIL_TITLE,
        "Heeft u een nieuw e-mailadres? Vul het hieronder in.",
        email_form=True,
        back=True,
    )


@routes.post("/antwoord/{token}/email")
@public("the signed link in the URL is the resident's key")
async def email_given(request: web.Request) -> web.Response:
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    raw = _field(await request.post(), "email")
    try:
        saved = await correct_email(request.app[SESSIONS], follow_up_id, raw, request.app[CLOCK]())
    except FollowUpClosed:
        return _already_answered(request)
    except CorrectionProblem as problem:
        return _page(
            request,
            EMAIL_TITLE,
            status=400,
            problem=str(problem),
            email_form=True,
            given=raw.strip()[:MAX_EMAIL],
            back=True,
        )
    return _page(
        request,
        "Uw e-mailadres is opgeslagen",
        f"Dank u wel. Wij sturen onze e-mails vanaf nu naar {saved}.",
        back=True,
    )
