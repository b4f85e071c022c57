"""The subset of Twilio's REST API the service uses: Messages and Calls (2010-04-01), with
Twilio's Basic auth, error bodies and list pages. Create requests pass the test controls:
a fault may spoil the answer, a hold may keep it back."""

import hmac
from collections.abc import Callable, Sequence

from aiohttp import encode_basic_auth, web
from aiohttp.typedefs import Handler
from multidict import MultiMapping

from dialer.sim.behaviour import Rejection, destination
from dialer.sim.carrier import CARRIER, SimCarrier
from dialer.sim.controls import Fault, FaultKind
from dialer.sim.errors import NOT_AUTHENTICATED, NOT_FOUND, CarrierError, error_response, fail
from dialer.sim.records import API_VERSION, Record, list_page

routes = web.RouteTableDef()

ACCOUNT = f"/{API_VERSION}/Accounts/{{account}}"
API_PATHS = (f"/{API_VERSION}/", "/v2/")
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000
GARBAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"
FAULT_ANSWERS = {
    FaultKind.HTTP_500: Rejection(500, 20500, "Internal Server Error"),
    FaultKind.HTTP_429: Rejection(429, 20429, "Too Many Requests"),
}
LATE_AND_UNHANDLED = Rejection(503, 20503, "Service Unavailable")

Create = Callable[[SimCarrier, MultiMapping[str]], Record]


def _authenticated(request: web.Request) -> bool:
    config = request.app[CARRIER].config
    expected = encode_basic_auth(config.account_sid, config.auth_token)
    return hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode())


@web.middleware
async def twilio_api(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Auth first, then the account in the path; every refusal in Twilio's error shape."""
    if not request.path.startswith(API_PATHS):
        return await handler(request)
    if not _authenticated(request):
        return error_response(NOT_AUTHENTICATED)
    account = request.match_info.get("account")
    if account is not None and account != request.app[CARRIER].config.account_sid:
        return error_response(NOT_FOUND)
    try:
        return await handler(request)
    except CarrierError as error:
        return error_response(error.rejection)
    except web.HTTPNotFound:
        return error_response(NOT_FOUND)
    except web.HTTPMethodNotAllowed:
        return error_response(Rejection(405, 20004, "Method not allowed"))


def _resource(carrier: SimCarrier, record: Record, status: int = 200) -> web.Response:
    return web.json_response(record.to_json(carrier.config.account_sid), status=status)


async def _fault_answer(
    carrier: SimCarrier, fault: Fault, answer: web.Response | None
) -> web.Response:
    if fault.kind in FAULT_ANSWERS:
        return error_response(FAULT_ANSWERS[fault.kind])
    if fault.kind is FaultKind.GARBAGE:
        return web.Response(status=201, text=GARBAGE, content_type="text/html")
    await carrier.controls.stall(carrier.config.fault_delay)
    return answer if answer is not None else error_response(LATE_AND_UNHANDLED)


async def _create(request: web.Request, create: Create) -> web.Response:
    """A fault without after_record spoils the answer before anything is sent; with it,
    the request is handled first. A hold keeps either answer back until released."""
    carrier = request.app[CARRIER]
    form = await request.post()
    fault = carrier.controls.take_fault()
    answer = None
    if fault is None or fault.after_record:
        try:
            answer = _resource(carrier, create(carrier, form), status=201)
        except CarrierError as error:
            answer = error_response(error.rejection)
    await carrier.controls.wait_if_held()
    return answer if fault is None else await _fault_answer(carrier, fault, answer)


def _list(request: web.Request, key: str, records: Sequence[Record]) -> web.Response:
    """Newest first, filtered by To and From as Twilio does."""
    query = request.query
    filters = {name: query[name] for name in ("To", "From") if query.get(name)}
    wanted = {name: destination(value).identity for name, value in filters.items()}
    try:
        page_size = min(int(query.get("PageSize", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
        page = int(query.get("Page", 0))
    except ValueError:
        raise fail(400, 20001, "PageSize and Page must be whole numbers") from None
    if page_size < 1 or page < 0:
        raise fail(400, 20001, "PageSize and Page must be positive")
    account_sid = request.app[CARRIER].config.account_sid
    items = [
        record.to_json(account_sid)
        for record in reversed(records)
        if record.to == wanted.get("To", record.to)
        and record.from_ == wanted.get("From", record.from_)
    ]
    return web.json_response(list_page(key, items, request.path, filters, page, page_size))


def _found(record: Record | None) -> Record:
    if record is None:
        raise CarrierError(NOT_FOUND)
    return record


@routes.post(f"{ACCOUNT}/Messages.json")
async def create_message(request: web.Request) -> web.Response:
    return await _create(request, SimCarrier.create_message)


@routes.get(f"{ACCOUNT}/Messages.json")
async def list_messages(request: web.Request) -> web.Response:
    return _list(request, "messages", request.app[CARRIER].messages)


@routes.get(f"{ACCOUNT}/Messages/{{sid}}.json")
async def fetch_message(request: web.Request) -> web.Response:
    carrier = request.app[CARRIER]
    return _resource(carrier, _found(carrier.message(request.match_info["sid"])))


@routes.post(f"{ACCOUNT}/Calls.json")
async def create_call(request: web.Request) -> web.Response:
    return await _create(request, SimCarrier.create_call)


@routes.get(f"{ACCOUNT}/Calls.json")
async def list_calls(request: web.Request) -> web.Response:
    return _list(request, "calls", request.app[CARRIER].calls)


@routes.get(f"{ACCOUNT}/Calls/{{sid}}.json")
async def fetch_call(request: web.Request) -> web.Response:
    carrier = request.app[CARRIER]
    return _resource(carrier, _found(carrier.call(request.match_info["sid"])))


@routes.post(f"{ACCOUNT}/Calls/{{sid}}.json")
async def update_call(request: web.Request) -> web.Response:
    """Twilio's way to hang up: Status=completed (or canceled)."""
    carrier = request.app[CARRIER]
    form = await request.post()
    call = carrier.hang_up(request.match_info["sid"], str(form.get("Status", "")))
    return _resource(carrier, call)
