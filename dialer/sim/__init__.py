"""The simulated carrier: Twilio's REST API (Messages, Calls, Lookup v2) as the service uses
it, with signed status callbacks, test controls and a demo phone page (CONTRACT section 6).
It is the test double of the whole project and the embedded carrier of the demo."""

from dialer.sim.app import create_sim_app, running_sim
from dialer.sim.carrier import SimCarrier
from dialer.sim.config import SimConfig
from dialer.sim.controls import Fault, FaultKind

__all__ = ["Fault", "FaultKind", "SimCarrier", "SimConfig", "create_sim_app", "running_sim"]
