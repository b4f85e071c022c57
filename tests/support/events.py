"""Reading a live page's server-sent events the way a browser's EventSource does."""

import asyncio


async def read_event(stream) -> str:
    """The data of the next event."""
    lines = []
    while True:
        line = (await asyncio.wait_for(stream.content.readline(), 10)).decode()
        if not line:
            raise EOFError("the stream ended before the event")
        if line == "\n" and lines:
            return "\n".join(lines)
        if line.startswith("data: "):
            lines.append(line[6:].rstrip("\n"))
