"""The facts a follow-up keeps about itself for the reach report (CONTRACT 7) and the
dashboard: the wijk it was done in, its outcome (category, reason, source, who recorded it),
the channels an attempt went out on, and the last ladder step of its running round that went out.
The report then counts one table, `follow_ups`, instead of joining a million follow-ups to
their outcomes, clients and five million attempts.

Database triggers keep them, so every path that writes a follow-up, an outcome or an attempt
(the planner's set-based inserts, replies, wrap-ups, the back office, the demo, tests that
insert rows directly) keeps them alike without knowing about them. Outcomes are never
updated (one per follow-up, the first answer counts), an attempt never changes channel and
its sent_at, once set, stays: so the triggers fire on INSERT, on an attempt going out, and on
a follow-up entering its next round. Migration 0009 created them and filled the facts in,
0010 added the conversations' mark and 0014 made them cheap for the planner; each
migration's triggers stay defined here as it made them, and a change to what is kept is a
new migration, not an edit of those.
"""

from dataclasses import dataclass

from followup.rules.domain import Channel

# The bit of each channel in `follow_ups.channels`.
CHANNEL_BITS = {Channel.CALL: 1, Channel.SMS: 2, Channel.EMAIL: 4}

_BIT = (
    "CASE {channel} "
    + " ".join(f"WHEN '{channel.value}' THEN {bit}" for channel, bit in CHANNEL_BITS.items())
    + " ELSE 0 END"
)

# The last ladder step of a follow-up's running round that went out.
_STEP_SENT = (
    "(SELECT max(a.step) FROM attempts a JOIN rounds r ON r.id = a.round_id"
    " WHERE a.follow_up_id = NEW.id AND r.number = NEW.round_number AND a.sent_at IS NOT NULL)"
)
_SENT = (
    "UPDATE follow_ups SET step_sent = NEW.step WHERE id = NEW.follow_up_id"
    " AND round_number = (SELECT number FROM rounds WHERE rounds.id = NEW.round_id)"
    " AND (step_sent IS NULL OR step_sent < NEW.step)"
)


@dataclass(frozen=True, slots=True)
class _Trigger:
    """A trigger that keeps a fact. On the follow-up's own row it `sets` (column, value from
    NEW): before the row is written on PostgreSQL (no second version of it), after on SQLite,
    which cannot change NEW. On another table's row it runs `statement`, an UPDATE. With
    `set_based`, PostgreSQL runs that instead, once per statement over the rows it inserted
    (`new_rows`): one join instead of a trigger call per row."""

    name: str
    table: str
    event: str
    when: str | None = None
    sets: tuple[str, str] | None = None
    statement: str | None = None
    set_based: str | None = None

    def create(self, dialect: str) -> list[str]:
        when = f" WHEN ({self.when})" if self.when else ""
        after = f"AFTER {self.event} ON {self.table} FOR EACH ROW{when}"
        if dialect == "sqlite":
            body = self.statement
            if self.sets:
                body = f"UPDATE follow_ups SET {self.sets[0]} = {self.sets[1]} WHERE id = NEW.id"
            return [f"CREATE TRIGGER {self.name} {after} BEGIN {body}; END"]
        timing, body, result = after, self.statement, "NULL"
        if self.sets:
            timing = f"BEFORE {self.event} ON {self.table} FOR EACH ROW{when}"
            body, result = f"NEW.{self.sets[0]} := {self.sets[1]}", "NEW"
        if self.set_based:
            timing = (
                f"AFTER {self.event} ON {self.table} REFERENCING NEW TABLE AS new_rows"
                " FOR EACH STATEMENT"
            )
            body = self.set_based
        return [
            f"CREATE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body}; RETURN {result}; END $$",
            f"CREATE TRIGGER {self.name} {timing} EXECUTE FUNCTION {self.name}()",
        ]

    def drop(self, dialect: str) -> str:
        if dialect == "sqlite":
            return f"DROP TRIGGER {self.name}"
        return f"DROP FUNCTION {self.name}() CASCADE"


_BIT_OF_NEW = _BIT.format(channel="NEW.channel")
_WIJK_OF_CLIENT = ("wijk", "(SELECT wijk FROM clients WHERE clients.id = NEW.client_id)")
_SENT_NOW = "NEW.sent_at IS NOT NULL AND NEW.step IS NOT NULL"
TRIGGERS = (
    _Trigger(
        "follow_ups_keep_wijk",
        "follow_ups",
        "INSERT",
        sets=_WIJK_OF_CLIENT,
    ),
    # A new round: the step that went out is the new round's (none yet, as a rule).
    _Trigger(
        "follow_ups_keep_step_sent",
        "follow_ups",
        "UPDATE OF round_number",
        when="NEW.round_number <> OLD.round_number",
        sets=("step_sent", _STEP_SENT),
    ),
    _Trigger(
        "outcomes_keep_on_follow_up",
        "outcomes",
        "INSERT",
        statement=(
            "UPDATE follow_ups SET outcome_category = NEW.category, outcome_reason = NEW.reason,"
            " outcome_source = NEW.source, outcome_by_id = NEW.recorded_by_id"
            " WHERE id = NEW.follow_up_id"
        ),
    ),
    # Only when the channel's bit is new: a follow-up's row is written once per channel, not
    # once per attempt.
    _Trigger(
        "attempts_keep_channel",
        "attempts",
        "INSERT",
        statement=(
            f"UPDATE follow_ups SET channels = channels | {_BIT_OF_NEW}"
            f" WHERE id = NEW.follow_up_id AND (channels & {_BIT_OF_NEW}) = 0"
        ),
    ),
    _Trigger("attempts_keep_step_sent", "attempts", "INSERT", when=_SENT_NOW, statement=_SENT),
    _Trigger(
        "attempts_keep_step_sent_on_send",
        "attempts",
        "UPDATE OF sent_at",
        when=f"OLD.sent_at IS NULL AND {_SENT_NOW}",
        statement=_SENT,
    ),
)


# Migration 0010's: a conversation knows it was followed up, so the residents waiting for
# their turn (due, no follow-up yet) are a partial index's few rows, not an anti-join of every
# conversation with every follow-up.
FOLLOWED_UP = _Trigger(
    "follow_ups_mark_conversation",
    "follow_ups",
    "INSERT",
    statement="UPDATE conversations SET followed_up = TRUE WHERE id = NEW.conversation_id",
)
FOLLOWED_UP_BACKFILL = (
    "UPDATE conversations SET followed_up = TRUE"
    " WHERE EXISTS (SELECT 1 FROM follow_ups WHERE follow_ups.conversation_id = conversations.id)"
)


# Migration 0014's, for the planner, which opens 100,000 follow-ups and queues as many
# attempts in one pass: a fact written after a row is a second version of it in every index.
# So the planner gives the wijk itself (the trigger fills it in for other writers), the
# conversations are marked once per statement, and a channel counts once an attempt on it
# went out: the dialer keeps it with the step, in one UPDATE, instead of every queued attempt.
_STEP_IS_NEW = (
    "NEW.step IS NOT NULL AND (step_sent IS NULL OR step_sent < NEW.step)"
    " AND round_number = (SELECT number FROM rounds WHERE rounds.id = NEW.round_id)"
)
_WENT_OUT = (
    f"UPDATE follow_ups SET channels = channels | {_BIT_OF_NEW},"
    f" step_sent = CASE WHEN {_STEP_IS_NEW} THEN NEW.step ELSE step_sent END"
    f" WHERE id = NEW.follow_up_id AND ((channels & {_BIT_OF_NEW}) = 0 OR {_STEP_IS_NEW})"
)
TRIGGERS_0014 = (
    _Trigger(
        "follow_ups_keep_wijk_unless_given",
        "follow_ups",
        "INSERT",
        when="NEW.wijk IS NULL",
        sets=_WIJK_OF_CLIENT,
    ),
    _Trigger(
        "attempts_keep_went_out",
        "attempts",
        "INSERT",
        when="NEW.sent_at IS NOT NULL",
        statement=_WENT_OUT,
    ),
    _Trigger(
        "attempts_keep_going_out",
        "attempts",
        "UPDATE OF sent_at",
        when="OLD.sent_at IS NULL AND NEW.sent_at IS NOT NULL",
        statement=_WENT_OUT,
    ),
    _Trigger(
        "follow_ups_mark_conversations",
        "follow_ups",
        "INSERT",
        statement=FOLLOWED_UP.statement,
        set_based=(
            "UPDATE conversations SET followed_up = TRUE FROM new_rows"
            " WHERE conversations.id = new_rows.conversation_id AND NOT conversations.followed_up"
        ),
    ),
)
# What 0014 replaces: 0009's wijk, channel and step triggers on inserts, and 0010's.
_KEPT_IN_0014 = ("follow_ups_keep_step_sent", "outcomes_keep_on_follow_up")
REPLACED_IN_0014 = (*(t for t in TRIGGERS if t.name not in _KEPT_IN_0014), FOLLOWED_UP)


def create_triggers(dialect: str, triggers=TRIGGERS) -> list[str]:
    return [ddl for trigger in triggers for ddl in trigger.create(dialect)]


def drop_triggers(dialect: str, triggers=TRIGGERS) -> list[str]:
    return [trigger.drop(dialect) for trigger in triggers]


def channels_from_attempts(went_out_only: bool) -> str:
    """Every follow-up's channels worked out again: since 0014 those an attempt went out on,
    before it those of any attempt."""
    went_out = " AND sent_at IS NOT NULL" if went_out_only else ""
    tried = (
        f"coalesce((SELECT sum(DISTINCT {_BIT.format(channel='channel')}) FROM attempts"
        f" WHERE attempts.follow_up_id = follow_ups.id{went_out}), 0)"
    )
    return f"UPDATE follow_ups SET channels = {tried} WHERE channels <> {tried}"


# Every follow-up's facts from the rows as they are, in one pass (one new version of each row
# on PostgreSQL, not one per fact). The same SQL on both databases.
BACKFILL = f"""UPDATE follow_ups SET wijk = k.wijk, outcome_category = k.category,
       outcome_reason = k.reason, outcome_source = k.source, outcome_by_id = k.recorded_by_id,
       channels = k.channels, step_sent = k.step_sent
FROM (SELECT f.id, c.wijk, o.category, o.reason, o.source, o.recorded_by_id,
             coalesce(m.channels, 0) AS channels, s.step_sent
      FROM follow_ups f
      JOIN clients c ON c.id = f.client_id
      LEFT JOIN outcomes o ON o.follow_up_id = f.id
      LEFT JOIN (SELECT follow_up_id, sum(bit) AS channels
                 FROM (SELECT DISTINCT follow_up_id, {_BIT.format(channel="channel")} AS bit
                       FROM attempts WHERE sent_at IS NOT NULL) AS tried
                 GROUP BY follow_up_id) AS m ON m.follow_up_id = f.id
      LEFT JOIN (SELECT a.follow_up_id, r.number, max(a.step) AS step_sent
                 FROM attempts a JOIN rounds r ON r.id = a.round_id
                 WHERE a.sent_at IS NOT NULL
                 GROUP BY a.follow_up_id, r.number) AS s
             ON s.follow_up_id = f.id AND s.number = f.round_number) AS k
WHERE k.id = follow_ups.id"""
