"""The app's cookies, all set alike: HttpOnly (no script reads them), SameSite=Lax (another
site's form does not carry them), Secure when the public URL is HTTPS, for the whole site."""

from aiohttp import web

from followup.app_keys import SETTINGS

SESSION = "followup_sessie"  # the sign-in session's random token
FORM_KEY = "followup_formulier"  # before signing in: what the sign-in form's CSRF token signs


def set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int | None
) -> None:
    """`max_age` None: the cookie lasts until the browser closes."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=request.app[SETTINGS].public_url.startswith("https://"),
        path="/",
    )
