"""Use case: load the residents to follow up from the municipality's export.

Rows are validated one by one and written in chunks, each chunk in one transaction,
so an interrupted import leaves whole rows or none, and running it again finishes it.
Each chunk's transaction also holds the audit record of what that chunk wrote, so an
interrupted import leaves no row unaccounted for; a completed one ends with a summary.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction
from followup.rules.import_merge import StoredClient, merge
from followup.rules.import_rows import (
    ClientRow,
    Field,
    Header,
    HeaderError,
    Rejection,
    RejectReason,
    duplicate_rejection,
    parse_row,
    resolve_header,
)
from followup.rules.spreadsheet_cells import restore_cell, safe_cell
from followup.services.csv_file import ImportFileError, open_csv
from followup.services.kept_opt_outs import honour_kept_opt_outs
from followup.store.audit import record_audit
from followup.store.client_import import Change, apply_changes, load_clients
from followup.store.unit_of_work import unit_of_work

CHUNK_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int
    client_ref: str
    reason: RejectReason
    message: str


@dataclass(slots=True)
class ImportResult:
    file: str
    encoding: str
    delimiter: str
    dry_run: bool
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid_phone: int = 0
    invalid_email: int = 0
    ignored_columns: tuple[str, ...] = ()
    windows_1252_lines: tuple[int, ...] = ()  # when the encoding is mixed
    rejects: list[RejectedRow] = field(default_factory=list)
    rejects_file: str | None = None

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def count(self, rows: list[ClientRow], outcomes: dict[str, int]) -> None:
        """Add one chunk's rows: imported, updated, unchanged, and their invalid contacts."""
        self.imported += outcomes["imported"]
        self.updated += outcomes["updated"]
        self.unchanged += outcomes["unchanged"]
        self.invalid_phone += sum(row.invalid_phones for row in rows)
        self.invalid_email += sum(row.email is not None and not row.email_valid for row in rows)

    def summary(self) -> dict:
        reasons: dict[str, int] = {}
        for reject in self.rejects:
            reasons[reject.reason] = reasons.get(reject.reason, 0) + 1
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "invalid_phone": self.invalid_phone,
            "invalid_email": self.invalid_email,
            "rejected_by_reason": reasons,
            "rejects_file": self.rejects_file,
            "ignored_columns": list(self.ignored_columns),
            "encoding": self.encoding,
            "windows_1252_lines": list(self.windows_1252_lines),
            "delimiter": self.delimiter,
        }


def rejects_path(path: Path) -> Path:
    return path.with_name(path.name + ".rejects.csv")


async def import_clients(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    *,
    today: date,
    now: datetime,
    actor: str,
    dry_run: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Raises ImportFileError, before anything is written, when the file cannot be used."""
    source = open_csv(path)
    with source.records() as records:
        header = _read_header(records)
        result = ImportResult(
            str(path),
            source.encoding,
            source.delimiter,
            dry_run,
            ignored_columns=header.ignored,
            windows_1252_lines=source.windows_1252_lines,
        )
        rows = _valid_rows(records, header, today, result)
        while chunk := list(islice(rows, chunk_rows)):
            await _write_chunk(sessions, chunk, result, now, actor)
            if on_progress:
                on_progress(result.rows, source.data_rows)
    if on_progress:  # rejected rows after the last chunk count as read too
        on_progress(result.rows, source.data_rows)

    result.rejects_file = _write_rejects(path, result.rejects)
    if not dry_run:
        await _record_import(sessions, result, now, actor)
    return result


def _read_header(records: Iterator[tuple[int, list[str]]]) -> Header:
    try:
        _, cells = next(records)
        return resolve_header(cells)
    except (StopIteration, HeaderError) as error:
        raise ImportFileError(str(error) or "het bestand heeft geen kopregel") from None


def _valid_rows(
    records: Iterator[tuple[int, list[str]]], header: Header, today: date, result: ImportResult
) -> Iterator[tuple[int, ClientRow]]:
    """The rows that can be imported, with the line each starts on, in file order. Every row
    read is counted in `result`, and every row that cannot be imported goes to its rejects."""
    first_line: dict[str, int] = {}  # by client_ref: a later row with the same one is refused
    for line, raw_cells in records:
        result.rows += 1
        # A file the service wrote (the demo data) marks formula-like cells; read them as
        # they were meant.
        cells = list(map(restore_cell, raw_cells))
        client_ref = header.cell(cells, Field.CLIENT_REF)
        if client_ref in first_line:
            parsed = duplicate_rejection(header, client_ref, first_line[client_ref])
        else:
            parsed = parse_row(cells, header, today)
            if client_ref:
                first_line[client_ref] = line
        if isinstance(parsed, Rejection):
            result.rejects.append(RejectedRow(line, client_ref, parsed.reason, parsed.message))
        else:
            yield line, parsed


async def _write_chunk(
    sessions: async_sessionmaker[AsyncSession],
    chunk: list[tuple[int, ClientRow]],
    result: ImportResult,
    now: datetime,
    actor: str,
) -> None:
    """Merge one chunk with what is stored and write it in one transaction, together with
    the audit record of what it wrote: an import that stops half-way leaves no row written
    without its record."""
    rows = [row for _, row in chunk]
    async with unit_of_work(sessions) as uow:
        stored = await load_clients(uow.session, [row.client_ref for row in rows])
        changes, counts = _merge(rows, stored)
        result.count(rows, counts)
        if result.dry_run or not changes:
            return
        client_ids = await apply_changes(uow.session, changes, now)
        await honour_kept_opt_outs(uow.session, client_ids.values(), now)
        record_audit(
            uow.session,
            now=now,
            actor=actor,
            action=AuditAction.CLIENTS_WRITTEN,
            # Where in the file and how many, never whose: the rows hold personal data.
            detail={
                "file": result.file,
                "first_line": chunk[0][0],
                "last_line": chunk[-1][0],
                **counts,
            },
        )
        await uow.commit()


def _merge(
    rows: list[ClientRow], stored: dict[str, StoredClient]
) -> tuple[list[Change], dict[str, int]]:
    """The rows that change something, with what they change, and how many rows were
    imported, updated and unchanged."""
    changes: list[Change] = []
    counts = {"imported": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        before = stored.get(row.client_ref)
        change = merge(row, before)
        if before is None:
            counts["imported"] += 1
        elif change.changed:
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        changes.append((row, before, change))
    return changes, counts


# About the file rather than what was written; a mixed file's line list can be long.
_NOT_AUDITED = ("ignored_columns", "rejects_file", "windows_1252_lines")


async def _record_import(
    sessions: async_sessionmaker[AsyncSession], result: ImportResult, now: datetime, actor: str
) -> None:
    summary = result.summary()
    async with unit_of_work(sessions) as uow:
        record_audit(
            uow.session,
            now=now,
            actor=actor,
            action=AuditAction.CLIENTS_IMPORTED,
            detail={k: v for k, v in summary.items() if k not in _NOT_AUDITED},
        )
        await uow.commit()


def _write_rejects(path: Path, rejects: list[RejectedRow]) -> str | None:
    """`FILE.rejects.csv`, or none: a clean run also removes the list of an earlier run."""
    target = rejects_path(path)
    if not rejects:
        target.unlink(missing_ok=True)
        return None
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["line", "client_ref", "reason"])
        writer.writerows(map(safe_cell, (r.line, r.client_ref, r.message)) for r in rejects)
    return str(target)
