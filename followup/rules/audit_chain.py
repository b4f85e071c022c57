"""The audit trail as a hash chain: each record's hash covers its own fields and the hash of
the record before it, so changing, removing or slipping in a record shows as a break.

Plain SHA-256, no secret: anyone who can write the whole table can also rewrite the whole
chain. What the chain gives is that a change anywhere but at the very end shows, and the end
is pinned by the head (last sequence number and hash) an operator keeps outside the database.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

GENESIS = "0" * 64  # the "previous hash" of the first record


class ChainedRecord(NamedTuple):
    """A record as stored, its time and detail as the texts the hash covers. A tuple: a
    check makes a million of them."""

    id: int
    seq: int
    moment: int  # `moment_of(at)`
    actor: str
    action: str
    user_id: int | None
    client_id: int | None
    detail: str  # `detail_text(detail)`, as the column holds it
    prev_hash: str
    hash: str


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def moment_of(at: datetime) -> int:
    """The time as microseconds since 1970 (UTC): an integer each database computes exactly,
    so the check formats no dates (that took longer than the hashing)."""
    return (at - EPOCH) // _MICROSECOND


def moment_time(moment: int) -> datetime:
    return EPOCH + moment * _MICROSECOND


def detail_text(detail: Mapping[str, Any]) -> str:
    """Canonical JSON: keys sorted, no spaces, non-ASCII as is. The column stores exactly this
    text, so checking a record needs no JSON parsing."""
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_quoted = json.encoder.encode_basestring  # a JSON string, as json.dumps writes it (C, fast)
_sha256 = hashlib.sha256


def link_hash(
    prev_hash: str,
    seq: int,
    moment: int,
    actor: str,
    action: str,
    user_id: int | None,
    client_id: int | None,
    detail: str,
) -> str:
    """SHA-256 over the previous hash, a newline and the record as a compact JSON array:
    `[seq,moment,"actor","action",user_id,client_id,detail]` (null for no id). The same
    bytes on both databases and in every version: change it and every chain breaks."""
    line = (
        f"{prev_hash}\n[{seq},{moment},{_quoted(actor)},{_quoted(action)},"
        f"{'null' if user_id is None else user_id},{'null' if client_id is None else client_id},"
        f"{detail}]"
    )
    return _sha256(line.encode()).hexdigest()


class BreakKind(StrEnum):
    CHANGED = "changed"  # the record's content (or its hash) is not what was written
    MISSING = "missing"  # sequence numbers skipped: records before this one were removed
    REORDERED = "reordered"  # stored out of order: moved, or put in afterwards
    BROKEN_LINK = "broken_link"  # does not point at the record before it
    TAIL_MISSING = "tail_missing"  # the last records the head remembers are gone
    AFTER_HEAD = "after_head"  # a record beyond the head: added outside the application


@dataclass(frozen=True, slots=True)
class ChainBreak:
    kind: BreakKind
    seq: int  # the first record that is wrong (or, for a missing tail, the one expected)
    record_id: int | None
    at: datetime | None


class ChainWalk:
    """Feed the records in sequence order; the first break found is kept."""

    def __init__(self) -> None:
        self.records = 0
        self.last_seq = 0
        self.last_hash = GENESIS
        self._last_id = 0
        self._last_moment: int | None = None

    def step(self, record: ChainedRecord) -> ChainBreak | None:
        # The hot loop of a check over a million records: plain tuples and positions.
        rid, seq, moment, actor, action, user_id, client_id, detail, prev_hash, stored = record
        if rid <= self._last_id:
            kind: BreakKind | None = BreakKind.REORDERED
        elif seq != self.last_seq + 1:
            kind = BreakKind.MISSING
        elif link_hash(prev_hash, seq, moment, actor, action, user_id, client_id, detail) != stored:
            kind = BreakKind.CHANGED
        elif prev_hash != self.last_hash:
            kind = BreakKind.BROKEN_LINK
        else:
            kind = None
        self.records += 1
        self.last_seq, self.last_hash, self._last_id, self._last_moment = seq, stored, rid, moment
        return None if kind is None else ChainBreak(kind, seq, rid, moment_time(moment))

    def finish(self, head_seq: int, head_hash: str, beyond: int | None) -> ChainBreak | None:
        """Compare the end of the walk (over the records up to `head_seq`, the head when the
        walk began) with that head; `beyond` is the first record found past the head as it
        is now, if any."""
        if self.last_seq < head_seq:
            return ChainBreak(BreakKind.TAIL_MISSING, self.last_seq + 1, None, None)
        if self.last_hash != head_hash:
            moment = self._last_moment
            at = None if moment is None else moment_time(moment)
            return ChainBreak(BreakKind.CHANGED, self.last_seq, self._last_id, at)
        if beyond is not None:
            return ChainBreak(BreakKind.AFTER_HEAD, beyond, None, None)
        return None


BREAK_LABELS_NL = {
    BreakKind.CHANGED: "de inhoud is veranderd",
    BreakKind.MISSING: "er ontbreken records vóór dit record",
    BreakKind.REORDERED: "het record staat niet op zijn plaats (verplaatst of later tussengevoegd)",
    BreakKind.BROKEN_LINK: "het record sluit niet aan op het record ervoor",
    BreakKind.TAIL_MISSING: "de laatste records ontbreken",
    BreakKind.AFTER_HEAD: "er staat een record na het laatste echte record",
}
