"""Reading the TwiML the service answers with: the voice verbs a click-to-call uses, and the
<Message> replies to an inbound SMS. Anything else is noted and skipped."""

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from dialer.sim.records import Callback


class TwimlError(ValueError):
    """Not a TwiML document; Twilio would play its application-error message."""


@dataclass(frozen=True, slots=True)
class Say:
    text: str


@dataclass(frozen=True, slots=True)
class Hangup:
    pass


@dataclass(frozen=True, slots=True)
class DialNumber:
    number: str
    callback: Callback | None


@dataclass(frozen=True, slots=True)
class Dial:
    caller_id: str | None
    number: DialNumber | None  # Twilio rings several at once; the service dials one


@dataclass(frozen=True, slots=True)
class Unsupported:
    verb: str


Verb = Say | Hangup | Dial | Unsupported


def events(values: list[str]) -> frozenset[str]:
    """StatusCallbackEvent: repeated, space-separated, or both."""
    return frozenset(event for value in values for event in value.split())


def _response(text: str) -> ElementTree.Element:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise TwimlError(f"not XML: {error}") from None
    if root.tag != "Response":
        raise TwimlError(f"root element is <{root.tag}>, not <Response>")
    return root


def _number(element: ElementTree.Element) -> DialNumber:
    url = element.get("statusCallback")
    callback = None
    if url:
        callback = Callback(
            url,
            element.get("statusCallbackMethod", "POST"),
            events([element.get("statusCallbackEvent", "")]),
        )
    return DialNumber((element.text or "").strip(), callback)


def _dial(element: ElementTree.Element) -> Dial:
    numbers = element.findall("Number")
    if numbers:
        return Dial(element.get("callerId"), _number(numbers[0]))
    text = (element.text or "").strip()  # <Dial>+31...</Dial>: a number without callbacks
    return Dial(element.get("callerId"), DialNumber(text, None) if text else None)


def voice_verbs(text: str) -> list[Verb]:
    verbs: list[Verb] = []
    for element in _response(text):
        if element.tag == "Say":
            verbs.append(Say((element.text or "").strip()))
        elif element.tag == "Hangup":
            verbs.append(Hangup())
        elif element.tag == "Dial":
            verbs.append(_dial(element))
        else:
            verbs.append(Unsupported(element.tag))
    return verbs


def message_bodies(text: str) -> list[str]:
    """The text of each <Message>, given as its text or in a <Body> child."""
    bodies = []
    for element in _response(text).iter("Message"):
        body = element.find("Body")
        bodies.append(((body if body is not None else element).text or "").strip())
    return bodies
