"""Staff over HTTP as a browser is: forms carry the page's CSRF token, and signing in goes
through the sign-in form."""

import re

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def form_token(web, **request) -> str:
    """The token this browser's forms carry now (the sign-in page shows it to anyone)."""
    page = await (await web.get("/inloggen", **request)).text()
    return CSRF.search(page)[1]


async def post_form(web, path: str, data: dict | None = None, **request):
    """A POST as the site's own form sends it, with the token."""
    token = await form_token(web, headers=request.get("headers"))
    request.setdefault("allow_redirects", False)
    return await web.post(path, data={**(data or {}), "csrf": token}, **request)


async def sign_in(web, email: str, password: str, back: str | None = None, **request):
    path = "/inloggen" if back is None else f"/inloggen?terug={back}"
    return await post_form(web, path, {"email": email, "wachtwoord": password}, **request)
