"""The chain's rules without a database: the hashed form is pinned (changing it would break
every chain already written), and a walk names the first break of each kind."""

from datetime import UTC, datetime, timedelta, timezone

from followup.rules.audit_chain import (
    GENESIS,
    BreakKind,
    ChainedRecord,
    ChainWalk,
    detail_text,
    link_hash,
    moment_of,
    moment_time,
)

AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_the_hashed_form_is_pinned():
    # sha256 of GENESIS + "\n" + '[1,1795341600000000,"a@b.nl","card_opened",null,7,{"n":"é"}]',
    # computed outside Python (`printf … | sha256sum`).
    assert link_hash(
        GENESIS, seq=1, moment=moment_of(AT), actor="a@b.nl", action="card_opened",
        user_id=None, client_id=7, detail=detail_text({"n": "é"}),
    ) == "6fcf998da92f434bebabff97f053eec1536a1e2d879b23fdc6f9e65ae1fd5d61"  # fmt: skip


def test_times_are_microseconds_since_1970_and_details_canonical():
    local = datetime(2026, 11, 22, 11, 0, 0, 5, tzinfo=timezone(timedelta(hours=1)))
    assert moment_of(local) == 1795341600000000 + 5
    assert moment_time(moment_of(local)) == local
    assert detail_text({"b": [1, None], "a": "één"}) == '{"a":"één","b":[1,null]}'


def chain(count: int) -> list[ChainedRecord]:
    records, last = [], GENESIS
    for seq in range(1, count + 1):
        fields = dict(
            seq=seq, moment=moment_of(AT + timedelta(seconds=seq)), actor="x", action="y",
            user_id=None, client_id=seq, detail=detail_text({"n": seq}),
        )  # fmt: skip
        digest = link_hash(last, **fields)
        records.append(ChainedRecord(id=seq * 2, prev_hash=last, hash=digest, **fields))
        last = digest
    return records


HEAD = chain(5)[-1]


def first_break(records: list[ChainedRecord]):
    """(kind, seq) of the first break of a chain whose head is HEAD, or None."""
    walk = ChainWalk()
    for record in records:
        if broken := walk.step(record):
            return broken.kind, broken.seq
    broken = walk.finish(HEAD.seq, HEAD.hash, None)
    return broken and (broken.kind, broken.seq)


def test_a_whole_chain_has_no_break():
    assert first_break(chain(5)) is None


def test_each_kind_of_break_is_named_at_the_first_wrong_record():
    records = chain(5)
    assert first_break([*records[:2], records[2]._replace(actor="z"), *records[3:]]) == (
        BreakKind.CHANGED, 3,
    )  # fmt: skip
    assert first_break([*records[:2], *records[3:]]) == (BreakKind.MISSING, 4)
    # Record 3 stored before record 1 (a lower id): put in later, in between.
    assert first_break([records[0], records[1], records[2]._replace(id=1), *records[3:]]) == (
        BreakKind.REORDERED, 3,
    )  # fmt: skip
    rehashed = records[1]._replace(detail="{}")
    rehashed = rehashed._replace(hash=link_hash(
        rehashed.prev_hash, seq=2, moment=rehashed.moment, actor="x", action="y", user_id=None,
        client_id=2, detail="{}",
    ))  # fmt: skip
    assert first_break([records[0], rehashed, *records[2:]]) == (BreakKind.BROKEN_LINK, 3)
    assert first_break(records[:4]) == (BreakKind.TAIL_MISSING, 5)


def test_a_record_past_the_head_is_named():
    walk = ChainWalk()
    for record in chain(3):
        walk.step(record)
    broken = walk.finish(3, chain(3)[-1].hash, beyond=4)
    assert (broken.kind, broken.seq) == (BreakKind.AFTER_HEAD, 4)
