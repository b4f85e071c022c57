"""The simulator's own JSON endpoints under /sim/, for tests in other processes: what it
received, faults to inject and the hold on create answers."""

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from dialer.sim.carrier import CARRIER
from dialer.sim.controls import Fault
from dialer.sim.records import Record

routes = web.RouteTableDef()


def _listing(request: web.Request, records: Sequence[Record]) -> web.Response:
    account_sid = request.app[CARRIER].config.account_sid
    return web.json_response([record.sim_json(account_sid) for record in records])


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        document = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="expected a JSON object") from None
    if not isinstance(document, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return document


@routes.get("/sim/messages")
async def messages(request: web.Request) -> web.Response:
    return _listing(request, request.app[CARRIER].messages)


@routes.get("/sim/calls")
async def calls(request: web.Request) -> web.Response:
    return _listing(request, request.app[CARRIER].calls)


@routes.post("/sim/faults")
async def add_fault(request: web.Request) -> web.Response:
    """{"kind": "http_500" | "http_429" | "garbage" | "timeout", "count": n, "after_record": b}"""
    document = await _json_object(request)
    try:
        fault = Fault(
            document["kind"],
            int(document.get("count", 1)),
            bool(document.get("after_record", False)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise web.HTTPBadRequest(text=f"not a fault: {error}") from None
    request.app[CARRIER].add_fault(fault)
    return web.json_response(
        {"kind": fault.kind, "count": fault.count, "after_record": fault.after_record},
        status=201,
    )


@routes.delete("/sim/faults")
async def clear_faults(request: web.Request) -> web.Response:
    request.app[CARRIER].clear_faults()
    return web.Response(status=204)


@routes.post("/sim/hold")
async def hold(request: web.Request) -> web.Response:
    """{"hold": true} keeps create answers back; {"hold": false} lets them all go."""
    carrier = request.app[CARRIER]
    document = await _json_object(request)
    if not isinstance(document.get("hold"), bool):
        raise web.HTTPBadRequest(text='expected {"hold": true} or {"hold": false}')
    if document["hold"]:
        carrier.hold()
    else:
        carrier.release()
    return web.json_response({"hold": carrier.controls.holding, "held": carrier.controls.held})


@routes.get("/sim/held")
async def held(request: web.Request) -> web.Response:
    return web.json_response({"held": request.app[CARRIER].controls.held})
