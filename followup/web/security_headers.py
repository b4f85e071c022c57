"""Headers every answer carries: no script, style or frame from elsewhere and none inline
(Content-Security-Policy), never inside another site's frame, no guessing of content types,
and no full address of our pages sent to other sites. A page may set its own stricter
value first (the response page sends no referrer at all)."""

from aiohttp import web

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
