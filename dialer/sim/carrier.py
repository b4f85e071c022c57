"""The simulated carrier's state and operations: what it received, in arrival order, and the
controls tests use, in-process or through its /sim/ endpoints."""

from aiohttp import web
from multidict import MultiMapping

from dialer.sim.callbacks import SignedClient, StatusCallbacks
from dialer.sim.calls import CallFlow
from dialer.sim.config import SimConfig
from dialer.sim.controls import Controls, Fault
from dialer.sim.errors import NOT_FOUND, CarrierError
from dialer.sim.messages import MessageFlow
from dialer.sim.records import CallRecord, MessageRecord
from dialer.sim.replies import send_reply
from dialer.sim.tasks import BackgroundTasks


class SimCarrier:
    """Serve it with `create_sim_app` or `running_sim`; those start and stop it."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.controls = Controls()
        self._tasks = BackgroundTasks()
        self._client = SignedClient(config.auth_token, config.callback_timeout)
        callbacks = StatusCallbacks(
            self._client, self._tasks, pace=config.pace, enabled=config.callbacks
        )
        self._messages = MessageFlow(config, self._tasks, callbacks)
        self._calls = CallFlow(config, self._tasks, callbacks, self._client)

    async def start(self) -> None:
        self.controls.open()
        await self._client.open()

    async def stop(self) -> None:
        await self._tasks.close()
        await self._client.close()

    @property
    def messages(self) -> list[MessageRecord]:
        """Every message, outbound and inbound, oldest first."""
        return list(self._messages.ledger.items)

    @property
    def calls(self) -> list[CallRecord]:
        """Every call leg, the agents' and the residents', oldest first."""
        return list(self._calls.ledger.items)

    def message(self, sid: str) -> MessageRecord | None:
        return self._messages.ledger.get(sid)

    def call(self, sid: str) -> CallRecord | None:
        return self._calls.ledger.get(sid)

    def add_fault(self, fault: Fault) -> None:
        self.controls.add_fault(fault)

    def clear_faults(self) -> None:
        self.controls.clear_faults()

    def hold(self) -> None:
        self.controls.hold()

    def release(self) -> None:
        self.controls.release()

    async def wait_held(self, count: int, timeout: float = 10.0) -> None:
        await self.controls.wait_held(count, timeout)

    def create_message(self, form: MultiMapping[str]) -> MessageRecord:
        return self._messages.create(form)

    def create_call(self, form: MultiMapping[str]) -> CallRecord:
        return self._calls.create(form)

    def hang_up(self, sid: str, status: str = "completed") -> CallRecord:
        call = self.call(sid)
        if call is None:
            raise CarrierError(NOT_FOUND)
        self._calls.hang_up(call, status)
        return call

    async def reply(self, resident: str, body: str) -> bool:
        """A text from the demo phone; whether the service took it."""
        return await send_reply(self.config, self._client, self._messages, resident, body)


CARRIER = web.AppKey("sim_carrier", SimCarrier)
