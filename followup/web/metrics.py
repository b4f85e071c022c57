"""What /metrics exposes: this process's HTTP requests, and the installation's figures read
from the database at scrape time. Labels never hold a raw path, a phone number or a text."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from followup.rules.domain import Channel, OutcomeCategory
from followup.store.monitoring import DatabaseFigures
from followup.web.access_log import log_answer

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Not a route of this app (404), or a method it does not serve there (405).
UNMATCHED = "unmatched"
# nginx's code for a client that went away before the answer; aiohttp cancels the handler.
CLIENT_CLOSED = 499


class DatabaseCollector(Collector):
    """Gauges, not counters, although events and outcomes only pile up: the values are the
    installation's totals in the database, not what this process counted since it started.
    Every app process reports the same totals (sum them across processes and they double),
    and retention deletes rows, which a counter would show as a reset. Aggregate with max()
    and take rates with delta() or deriv().

    `figures` is set by the scrape right before the registry is rendered, in one step
    without an await, so concurrent scrapes cannot mix their readings."""

    def __init__(self) -> None:
        self.figures: DatabaseFigures | None = None

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        yield GaugeMetricFamily(
            "followup_database_up",
            "1 when this scrape could read the figures from the database, else 0.",
            value=int(figures is not None),
        )
        if figures is None:
            return
        events = GaugeMetricFamily(
            "followup_carrier_events",
            "Carrier status callbacks stored, by resource and status (installation total).",
            labels=["resource", "status"],
        )
        for (resource, status), count in sorted(figures.carrier_events.items()):
            events.add_metric([resource, status], count)
        yield events
        outcomes = GaugeMetricFamily(
            "followup_outcomes",
            "Follow-ups closed with an outcome, by category (installation total).",
            labels=["category"],
        )
        for category in OutcomeCategory:
            outcomes.add_metric([category.value], figures.outcomes[category.value])
        yield outcomes
        yield _by_channel(
            "followup_attempts_queued", "Attempts waiting in the queue.", figures.queued
        )
        yield _by_channel(
            "followup_attempts_due", "Queued attempts whose time has come.", figures.due
        )
        yield _by_channel(
            "followup_attempts_sending",
            "Attempts handed to the carrier without an answer yet.",
            figures.sending,
        )


def _by_channel(name: str, documentation: str, counts: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation + " By channel.", labels=["channel"])
    for channel in Channel:
        family.add_metric([channel.value], counts.get(channel.value, 0))
    return family


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AppMetrics:
    """A registry of the app's own: several apps in one process (tests) never clash."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "followup_http_requests",
            "HTTP requests answered, by method, route pattern and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "followup_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route pattern.",
            ["method", "route"],
            registry=self.registry,
        )
        self.database = DatabaseCollector()
        self.registry.register(self.database)

    @web.middleware
    async def count_requests(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        except asyncio.CancelledError:
            status = CLIENT_CLOSED
            raise
        finally:
            method = request.method if request.method in METHODS else "other"
            route = route_pattern(request)
            seconds = time.perf_counter() - started
            self.requests.labels(method, route, str(status)).inc()
            self.latency.labels(method, route).observe(seconds)
            # The same measure makes the request's line in the log.
            log_answer(request, method, route, status, seconds)


def route_pattern(request: web.Request) -> str:
    """The route as registered (`/clients/{ref}`), never the path as requested: a path may
    hold a phone number or a token, and every distinct label value is a new time series."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED
