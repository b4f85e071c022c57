"""A municipality's first year, played through the service: the import, a planning and a
dialer pass twice a week for a year, the simulated carrier delivering (or not), residents
answering from their phones in round 1 or round 2, and the others ending unreachable.
Then the coordinator's dashboard must show what `followup report` says."""

import asyncio
import json
from collections import Counter
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import aiohttp

from followup.rules.domain import Role
from followup.services.import_clients import import_clients
from followup.services.users import add_user
from tests.support.carrier import outbound_world
from tests.support.files import row, write_csv
from tests.support.follow_up_facts import kept_and_worked_out
from tests.support.processes import clean_env, followup
from tests.support.staff import sign_in

ZONE = ZoneInfo("Europe/Amsterdam")
FIRST_MONDAY = datetime(2026, 1, 5, 10, 0, tzinfo=ZONE)
WEEKS = 60  # the last residents fall due in December; their two rounds end in February
WIJKEN = ("Selwerd", "Oosterpoort", "Beijum")
RESIDENTS = 40
# What resident i does, by i % 10: their reply to our texts, and after how many texts.
# "0005": the carrier cannot deliver to that number; None: never answers.
BEHAVIOUR = {
    0: "no contact details",
    1: "0005",
    2: ("1", 1),
    3: ("1", 1),
    4: ("2", 1),
    5: ("3", 1),
    6: ("4", 1),
    7: ("STOP", 1),
    8: ("3", 2),  # only after round 2's opening message (calls wait for an agent)
    9: None,
}


def _mobile(i: int) -> str:
    ending = "0005" if BEHAVIOUR[i % 10] == "0005" else f"1{i:03d}"
    return f"+31612{i:02d}{ending}"


def _rows() -> list[list[str]]:
    """Conversations through 2025; a year later each resident falls due, so the
    follow-ups begin in every month of 2026."""
    rows = []
    for i in range(RESIDENTS):
        talked = date(2025, 1, 1) + timedelta(days=i * 9)
        reachable = BEHAVIOUR[i % 10] != "no contact details"
        rows.append(
            row(
                f"R{i:03d}",
                name=f"Inwoner {i}",
                wijk=WIJKEN[i % 3],
                date=talked.isoformat(),
                phone=_mobile(i) if reachable else "",
                months="12",
            )
        )
    return rows


async def _play_the_year(world, tmp_path) -> None:
    await import_clients(
        world.sessions,
        write_csv(tmp_path / "year.csv", _rows()),
        today=FIRST_MONDAY.date(),
        now=FIRST_MONDAY,
        actor="test",
    )
    answered: set[str] = set()
    async with aiohttp.ClientSession() as http:
        for week in range(WEEKS):
            for day in (0, 3):  # Monday and Thursday, inside the windows
                now = FIRST_MONDAY + timedelta(weeks=week, days=day)
                await world.plan(now)
                await world.dispatch(now)
                texts = Counter(m["to"] for m in await world.received("messages"))
                for i in range(RESIDENTS):
                    number, behaviour = _mobile(i), BEHAVIOUR[i % 10]
                    if not isinstance(behaviour, tuple) or number in answered:
                        continue
                    reply, after = behaviour
                    if texts[number] >= after:
                        sent = await http.post(
                            f"{world.sim_url}/sim/phone/{number}/antwoord",
                            data={"antwoord": reply},
                            allow_redirects=False,
                        )
                        assert sent.status == 303
                        answered.add(number)


async def _report(db_url: str, tmp_path, *args: str) -> dict:
    # In a thread: the service in this event loop may be in the middle of a carrier
    # callback, holding SQLite's write lock, and must be able to finish it meanwhile.
    result = await asyncio.to_thread(
        followup, "report", "--format", "json", *args, cwd=tmp_path, env=clean_env(db_url)
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class _Tables(HTMLParser):
    """The text of every cell of every table with an id, row by row (header rows left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._in_head = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id"):
            self._table = self.tables.setdefault(dict(attrs)["id"], [])
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None and not self._in_head:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None and not self._in_head:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


async def _dashboard(http: aiohttp.ClientSession, query: str) -> dict[str, list[list[str]]]:
    answer = await http.get("/bereik" + query)
    assert answer.status == 200
    parser = _Tables()
    parser.feed(await answer.text())
    return parser.tables


def _rate(rate: float) -> str:
    return f"{rate * 100:.1f}%".replace(".", ",")


def _figures(key: str, figures: dict) -> list[str]:
    """A row of the dashboard's tables of figures, as the report's numbers say it should be."""
    shown = ("approached", "reached", "reach_rate", "unreachable", "open")
    return [key, *(_rate(figures[n]) if n == "reach_rate" else str(figures[n]) for n in shown)]


# The dashboard's filters, and the report's options that ask for the same.
FILTERS = {
    "": [],
    "?wijk=Selwerd": ["--wijk", "Selwerd"],
    "?van=2026-03&tot=2026-08": ["--from", "2026-03", "--to", "2026-08"],
}
OUTCOME_COLUMNS = ("approached", "active", "with_wij", "in_progress", "not_active", "unreachable")
REASONS = ("no_answer", "invalid_number", "no_contact_details", "opted_out", "unreachable")


async def test_a_first_year_on_the_dashboard_as_in_the_report(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await _play_the_year(world, tmp_path)
        # The report reads what each follow-up keeps: it agrees with the rows a year wrote.
        kept, worked_out = await kept_and_worked_out(world.sessions)
        assert kept == worked_out
        total = (await _report(db_url, tmp_path))["total"]
        # Every resident was approached and every follow-up ended within the year.
        assert total["approached"] == RESIDENTS and total["open"] == 0
        assert total["active"] == 8 and total["with_wij"] == 4 and total["not_active"] == 4
        assert total["in_progress"] == 8  # four in round 1, four more in round 2
        assert total["no_contact_details"] == 4 and total["opted_out"] == 4
        assert total["invalid_number"] + total["no_answer"] == 8
        assert len((await _report(db_url, tmp_path, "--by", "month"))["rows"]) >= 10

        await add_user(
            world.sessions,
            email="coordinator@gemeente.example",
            role=Role.COORDINATOR,
            password="een lang wachtwoord",
            now=FIRST_MONDAY,
            actor="test",
        )
        # unsafe: the jar keeps cookies of a site on an IP address (127.0.0.1) too.
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(world.settings.public_url, cookie_jar=jar) as http:
            signed_in = await sign_in(http, "coordinator@gemeente.example", "een lang wachtwoord")
            assert signed_in.status == 303
            for query, options in FILTERS.items():
                tables = await _dashboard(http, query)
                by_wijk = await _report(db_url, tmp_path, "--by", "wijk", *options)
                by_month = await _report(db_url, tmp_path, "--by", "month", *options)
                wijken = [*by_wijk["rows"], {**by_wijk["total"], "key": "Totaal"}]
                assert tables["tabel-wijk"] == [_figures(r["key"], r) for r in wijken], query
                assert tables["tabel-niet-bereikt"] == [
                    [r["key"], *(str(r[n]) for n in REASONS)] for r in wijken
                ], query
                assert tables["tabel-maand"] == [
                    [
                        r["key"],
                        *(str(r[n]) for n in (*OUTCOME_COLUMNS, "open")),
                        _rate(r["reach_rate"]),
                    ]
                    for r in by_month["rows"]
                ], query
