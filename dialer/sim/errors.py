"""Twilio's error body, so the library raises TwilioRestException with `.code` and `.status`."""

from aiohttp import web

from dialer.sim.behaviour import Rejection


class CarrierError(Exception):
    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.message)
        self.rejection = rejection


def error_response(rejection: Rejection) -> web.Response:
    return web.json_response(
        {
            "code": rejection.code,
            "message": rejection.message,
            "more_info": f"https://www.twilio.com/docs/errors/{rejection.code}",
            "status": rejection.status,
        },
        status=rejection.status,
    )


def fail(status: int, code: int, message: str) -> CarrierError:
    return CarrierError(Rejection(status, code, message))


NOT_AUTHENTICATED = Rejection(401, 20003, "Authenticate")
NOT_FOUND = Rejection(404, 20404, "The requested resource was not found")
