"""Every page, a resident's and staff's, links the NL Design System's stylesheets and our own,
and the app serves each of them itself: no page depends on a CDN or on a file left out."""

import gzip
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from followup.rules.domain import Role
from followup.rules.response_links import ResponseLinks
from followup.services.users import add_user
from followup.settings import Settings
from tests.support.rows import NOW, add_client, add_follow_up
from tests.support.webhooks import SECRET, Clock, app_for

PUBLIC = "http://nabellen.gemeente.example"
TODAY = datetime(2026, 11, 23, 10, tzinfo=UTC)
PASSWORD = "een lang wachtwoord"
VENDORED = (
    "/static/vendor/utrecht-component-library-css/index.css",
    "/static/vendor/voorbeeld-design-tokens/theme.css",
)


class _Page(HTMLParser):
    """A page's stylesheet links, and the hidden fields of its forms (such as a CSRF token)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stylesheets: list[str] = []
        self.hidden: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(found["href"] or "")
        if tag == "input" and found.get("type") == "hidden":
            self.hidden[found["name"] or ""] = found.get("value") or ""


@pytest.fixture
async def web(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    return await aiohttp_client(app_for(settings, sessions, Clock(TODAY)))


async def page(web, path: str) -> _Page:
    """The page as a browser gets it, an error page (a forged link) included."""
    answer = await web.get(path, allow_redirects=False)
    assert answer.content_type == "text/html", path
    return _Page(await answer.text())


async def sign_in(web, sessions) -> None:
    await add_user(
        sessions,
        email="a@gemeente.example",
        role=Role.AGENT,
        password=PASSWORD,
        now=NOW,
        actor="test",
        phone="06-11112222",
    )
    form = await page(web, "/inloggen")
    fields = {**form.hidden, "email": "a@gemeente.example", "wachtwoord": PASSWORD}
    answer = await web.post(
        "/inloggen", data=fields, headers={"Origin": PUBLIC}, allow_redirects=False
    )
    assert answer.status == 303


async def test_every_page_gets_its_stylesheets_from_the_app(web, sessions):
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session)
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
    resident = ResponseLinks("", SECRET).url(follow_up.id, TODAY.date())
    pages = ["/", "/inloggen", resident, "/antwoord/1.onzin"]
    await sign_in(web, sessions)
    pages.append("/belwachtrij")

    for path in pages:
        links = (await page(web, path)).stylesheets
        assert links == [*VENDORED, "/static/style.css"], path  # components, theme, ours
        for link in links:
            answer = await web.get(link)
            assert answer.status == 200, link
            assert answer.content_type == "text/css", link
            assert len(await answer.read()) > 1000, link


@pytest.mark.parametrize("path", VENDORED)
async def test_the_vendored_stylesheets_go_out_compressed(web, path):
    plain = await (await web.get(path, headers={"Accept-Encoding": "identity"})).read()
    answer = await web.get(path, headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.content_type == "text/css"
    assert gzip.decompress(await answer.read()) == plain  # the .gz is of this very file
