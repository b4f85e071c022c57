"""The import use case on real SQLite and PostgreSQL: upsert, rejects, dry run, bad files."""

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from followup.demo_data import demo_rows, write_demo_file
from followup.rules.domain import (
    AuditAction,
    ContactStatus,
    EvidenceSource,
    Initiative,
    PhoneLabel,
    PhoneType,
)
from followup.services.csv_file import ImportFileError
from followup.services.import_clients import import_clients, rejects_path
from followup.store.staff_tables import AuditRecord
from followup.store.tables import Client, Conversation, PhoneNumber
from tests.support.files import HEADER, row, write_csv

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


async def run_import(sessions, path: Path, **kwargs):
    return await import_clients(
        sessions,
        path,
        today=kwargs.pop("today", TODAY),
        now=kwargs.pop("now", NOW),
        actor="test",
        **kwargs,
    )


async def count(sessions, table) -> int:
    async with sessions() as session:
        return await session.scalar(sa.select(sa.func.count()).select_from(table))


async def phones_of(sessions, ref: str, current_only: bool = True) -> list[PhoneNumber]:
    async with sessions() as session:
        query = (
            sa.select(PhoneNumber)
            .join(Client)
            .where(Client.client_ref == ref)
            .order_by(PhoneNumber.id)
        )
        if current_only:
            query = query.where(PhoneNumber.retired_at.is_(None))
        return list(await session.scalars(query))


async def test_imports_clients_numbers_and_conversation(sessions, tmp_path):
    path = write_csv(
        tmp_path / "clients.csv",
        [
            row(
                "1001",
                phone="06-12345678",
                phone_alt="050-3671234",
                email="Anna@Example.nl",
                months="6",
                initiative="inwoner",
                channel="sms",
                date="2026-01-31",
            ),
            row("1002", name="Bram Bakker", wijk="Beijum", phone="", email=""),
        ],
    )
    result = await run_import(sessions, path)

    assert (result.imported, result.updated, result.unchanged, result.rejected) == (2, 0, 0, 0)
    async with sessions() as session:
        anna = await session.scalar(sa.select(Client).where(Client.client_ref == "1001"))
        assert (anna.name, anna.wijk, anna.email, anna.email_status, anna.preferred_channel) == (
            "Anna de Vries",
            "Selwerd",
            "anna@example.nl",
            ContactStatus.VALID,
            "sms",
        )
        conversation = await session.scalar(
            sa.select(Conversation).where(Conversation.client_id == anna.id)
        )
    # 31 January + 6 months = 31 July; the client takes the initiative: four weeks more.
    assert conversation.conversation_date == date(2026, 1, 31)
    assert conversation.initiative is Initiative.CLIENT
    assert conversation.due_on == date(2026, 7, 31) + timedelta(weeks=4)
    phones = await phones_of(sessions, "1001")
    assert [(p.label, p.e164, p.type, p.status, p.source) for p in phones] == [
        (
            PhoneLabel.PRIMARY,
            "+31612345678",
            PhoneType.MOBILE,
            ContactStatus.VALID,
            EvidenceSource.IMPORT,
        ),
        (
            PhoneLabel.ALTERNATE,
            "+31503671234",
            PhoneType.FIXED_LINE,
            ContactStatus.VALID,
            EvidenceSource.IMPORT,
        ),
    ]
    assert await phones_of(sessions, "1002") == []


async def test_invalid_number_is_kept_and_flagged_not_rejected(sessions, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row("1", phone="06-1234567a"), row("2", phone="06-123")])
    result = await run_import(sessions, path)

    assert (result.imported, result.rejected, result.invalid_phone) == (2, 0, 2)
    [phone] = await phones_of(sessions, "1")
    assert (phone.raw, phone.e164, phone.status, phone.invalid_reason, phone.invalid_source) == (
        "06-1234567a",
        None,
        ContactStatus.INVALID,
        "bad_characters",
        EvidenceSource.IMPORT,
    )
    [short] = await phones_of(sessions, "2")
    assert (short.status, short.invalid_reason) == (ContactStatus.INVALID, "invalid_number")


async def test_second_import_of_same_file_changes_nothing(sessions, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(str(n), phone=f"06-1234567{n}") for n in range(5)])
    await run_import(sessions, path)
    async with sessions() as session:
        before = (
            await session.execute(sa.select(Client.id, Client.updated_at).order_by(Client.id))
        ).all()
    phone_rows = await count(sessions, PhoneNumber)

    again = await run_import(sessions, path, now=NOW + timedelta(hours=1))

    assert (again.imported, again.updated, again.unchanged) == (0, 0, 5)
    async with sessions() as session:
        after = (
            await session.execute(sa.select(Client.id, Client.updated_at).order_by(Client.id))
        ).all()
    assert after == before
    assert await count(sessions, PhoneNumber) == phone_rows
    assert await count(sessions, Conversation) == 5


async def test_reimport_updates_by_client_ref(sessions, tmp_path):
    await run_import(
        sessions,
        write_csv(
            tmp_path / "a.csv",
            [
                row("1", phone="06-12345678", phone_alt="06-87654321"),
                row("2", name="Bram Bakker"),
            ],
        ),
    )
    result = await run_import(
        sessions,
        write_csv(
            tmp_path / "b.csv",
            [
                row("1", phone="06-11112222", phone_alt=""),  # new number, alternate gone
                row("2", name="Bram Bakker-Smit"),  # new name only
                row("3", name="Cor Nieuw"),
            ],
        ),
    )

    assert (result.imported, result.updated, result.unchanged) == (1, 2, 0)
    current = await phones_of(sessions, "1")
    assert [p.e164 for p in current] == ["+31611112222"]
    history = await phones_of(sessions, "1", current_only=False)
    assert sorted(p.e164 for p in history if p.retired_at is not None) == [
        "+31612345678",
        "+31687654321",
    ]
    async with sessions() as session:
        assert (
            await session.scalar(sa.select(Client.name).where(Client.client_ref == "2"))
            == "Bram Bakker-Smit"
        )
    assert await count(sessions, Client) == 3


async def test_same_number_in_other_notation_keeps_its_evidence(sessions, tmp_path):
    await run_import(sessions, write_csv(tmp_path / "a.csv", [row("1", phone="06-12345678")]))
    [phone] = await phones_of(sessions, "1")
    async with sessions() as session, session.begin():  # the carrier proved it wrong
        await session.execute(
            sa.update(PhoneNumber)
            .where(PhoneNumber.id == phone.id)
            .values(
                status=ContactStatus.INVALID,
                invalid_source=EvidenceSource.DELIVERY_ERROR,
                invalid_reason="30005",
            )
        )

    result = await run_import(
        sessions, write_csv(tmp_path / "b.csv", [row("1", phone="+31 6 1234 5678")])
    )

    assert (result.updated, result.unchanged) == (0, 1)
    [still] = await phones_of(sessions, "1")
    assert (still.id, still.status, still.invalid_source) == (
        phone.id,
        ContactStatus.INVALID,
        EvidenceSource.DELIVERY_ERROR,
    )


async def test_new_conversation_date_adds_a_conversation(sessions, tmp_path):
    await run_import(sessions, write_csv(tmp_path / "a.csv", [row("1", date="2026-01-10")]))
    result = await run_import(
        sessions, write_csv(tmp_path / "b.csv", [row("1", date="2026-06-10", months="4")])
    )
    assert result.updated == 1
    async with sessions() as session:
        dates = (
            await session.scalars(sa.select(Conversation.due_on).order_by(Conversation.due_on))
        ).all()
    assert dates == [date(2026, 4, 10), date(2026, 10, 10)]


async def test_bad_rows_are_rejected_with_line_and_reason_the_rest_imported(sessions, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [
            row("1"),
            row("", name="Zonder Nummer"),  # line 3
            row("3", name=""),  # line 4
            row("4", wijk=""),  # line 5
            row("5", date=""),  # line 6
            row("6", date="31-02-2026"),  # line 7
            row("7", date="2026-12-01"),  # line 8: future
            row("8", months="25"),  # line 9
            row("9", initiative="misschien"),  # line 10
            row("10", channel="brief"),  # line 11
            ["11", "Te Kort", "Selwerd"],  # line 12
            row("1", name="Dubbel"),  # line 13
            row("12", name="x" * 201),  # line 14
            row("13"),
        ],
    )
    result = await run_import(sessions, path)

    assert (result.imported, result.rejected) == (2, 12)
    with rejects_path(path).open(encoding="utf-8", newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["line"], r["client_ref"]) for r in rejects] == [
        ("3", ""),
        ("4", "3"),
        ("5", "4"),
        ("6", "5"),
        ("7", "6"),
        ("8", "7"),
        ("9", "8"),
        ("10", "9"),
        ("11", "10"),
        ("12", "11"),
        ("13", "1"),
        ("14", "12"),
    ]
    reasons = [r["reason"] for r in rejects]
    for line_reason, words in zip(
        reasons,
        [
            ["client_ref", "leeg"],
            ["name", "leeg"],
            ["wijk", "leeg"],
            ["conversation_date", "leeg"],
            ["geen datum"],
            ["toekomst"],
            ["follow_up_after_months", "1 tot en met 24"],
            ["initiative", "misschien"],
            ["preferred_channel", "brief"],
            ["3 kolommen"],
            ["regel 2"],
            ["name", "200"],
        ],
        strict=True,
    ):
        assert all(word in line_reason for word in words), line_reason
    assert result.summary()["rejected_by_reason"]["missing_value"] == 4
    async with sessions() as session:
        assert (
            await session.scalars(sa.select(Client.client_ref).order_by(Client.client_ref))
        ).all() == ["1", "13"]
        first = await session.scalar(sa.select(Client.name).where(Client.client_ref == "1"))
    assert first == "Anna de Vries"  # the later duplicate did not overwrite it


async def test_clean_run_removes_an_old_rejects_file(sessions, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row("1", name="")])
    await run_import(sessions, path)
    assert rejects_path(path).exists()
    write_csv(path, [row("1")])
    await run_import(sessions, path)
    assert not rejects_path(path).exists()


async def test_dry_run_counts_but_writes_nothing(sessions, tmp_path):
    await run_import(sessions, write_csv(tmp_path / "a.csv", [row("1")]))
    audits = await count(sessions, AuditRecord)
    result = await run_import(
        sessions,
        write_csv(
            tmp_path / "b.csv", [row("1", name="Nieuwe Naam"), row("2"), row("3", date="morgen")]
        ),
        dry_run=True,
    )

    assert (result.imported, result.updated, result.rejected, result.dry_run) == (1, 1, 1, True)
    assert await count(sessions, Client) == 1
    assert await count(sessions, AuditRecord) == audits
    async with sessions() as session:
        assert await session.scalar(sa.select(Client.name)) == "Anna de Vries"


async def audit_records(sessions, action: AuditAction) -> list[AuditRecord]:
    async with sessions() as session:
        return list(
            await session.scalars(
                sa.select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
            )
        )


async def test_import_is_audited(sessions, tmp_path):
    await run_import(sessions, write_csv(tmp_path / "a.csv", [row("1"), row("2", name="")]))
    [record] = await audit_records(sessions, AuditAction.CLIENTS_IMPORTED)
    assert (record.actor, record.action) == ("test", "clients_imported")
    assert (record.detail["imported"], record.detail["rejected"]) == (1, 1)


async def test_each_chunk_is_audited_with_what_it_wrote_and_no_personal_data(sessions, tmp_path):
    await run_import(sessions, write_csv(tmp_path / "a.csv", [row("1"), row("2"), row("3")]))
    path = write_csv(
        tmp_path / "b.csv",
        [
            row("1"),  # line 2: unchanged
            row("2"),  # line 3: unchanged; this chunk writes nothing and is not audited
            row("9", name=""),  # line 4: rejected
            row("3", name="Cor Nieuw"),  # line 5: updated
            row("4"),  # line 6: imported
            row("5"),  # line 7: imported
        ],
    )
    await run_import(sessions, path, chunk_rows=2, now=NOW + timedelta(hours=1))

    written = await audit_records(sessions, AuditAction.CLIENTS_WRITTEN)
    file = str(path)
    assert [(r.actor, r.at, r.detail) for r in written if r.detail["file"] == file] == [
        (
            "test",
            NOW + timedelta(hours=1),
            {
                "file": file,
                "first_line": 5,
                "last_line": 6,
                "imported": 1,
                "updated": 1,
                "unchanged": 0,
            },
        ),
        (
            "test",
            NOW + timedelta(hours=1),
            {
                "file": file,
                "first_line": 7,
                "last_line": 7,
                "imported": 1,
                "updated": 0,
                "unchanged": 0,
            },
        ),
    ]
    summary = (await audit_records(sessions, AuditAction.CLIENTS_IMPORTED))[-1]
    assert (summary.detail["imported"], summary.detail["updated"]) == (2, 1)
    assert summary.id > max(r.id for r in written)


class Interrupted(Exception):
    """Stands for what stops an import half-way: a signal, a lost connection, a crash."""


def interrupt(done: int, total: int) -> None:
    raise Interrupted


async def test_rows_written_before_an_interruption_are_audited(sessions, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(str(n)) for n in range(7)])
    with pytest.raises(Interrupted):  # stops once the first chunk is written
        await run_import(sessions, path, chunk_rows=3, on_progress=interrupt)

    assert await count(sessions, Client) == 3
    [record] = await audit_records(sessions, AuditAction.CLIENTS_WRITTEN)
    assert record.detail == {
        "file": str(path),
        "first_line": 2,
        "last_line": 4,
        "imported": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert await audit_records(sessions, AuditAction.CLIENTS_IMPORTED) == []


async def test_chunks_write_whole_rows_and_catch_duplicates_across_chunks(sessions, tmp_path):
    rows = [row(str(n), phone=f"06-2000000{n}") for n in range(7)] + [row("2", name="Later")]
    result = await run_import(sessions, write_csv(tmp_path / "c.csv", rows), chunk_rows=3)
    assert (result.imported, result.rejected) == (7, 1)
    assert await count(sessions, PhoneNumber) == 7
    assert await count(sessions, Conversation) == 7


async def test_dutch_excel_export_semicolon_windows_1252(sessions, tmp_path):
    header = [
        "Klantnummer",
        "Naam",
        "Wijk",
        "Gespreksdatum",
        "Telefoon",
        "Telefoon2",
        "Email",
        "Nabellen_na_maanden",
        "Initiatief",
        "Voorkeurskanaal",
    ]
    path = write_csv(
        tmp_path / "export.csv",
        [
            [
                "501",
                "Aïcha Özdemir",
                "Corpus den Hoorn",
                "05-03-2026",
                "(06) 12345678",
                "",
                "",
                "3",
                "Gemeente",
                "Bellen",
            ],
            ["502", "José Ruiz Peña", "De Wijert", "5-3-2026", "0031612345679", "", "", "", "", ""],
        ],
        header=header,
        delimiter=";",
        encoding="cp1252",
    )
    result = await run_import(sessions, path)

    assert (result.imported, result.encoding, result.delimiter) == (2, "cp1252", ";")
    async with sessions() as session:
        names = (await session.scalars(sa.select(Client.name).order_by(Client.client_ref))).all()
        dates = (await session.scalars(sa.select(Conversation.conversation_date))).all()
    assert names == ["Aïcha Özdemir", "José Ruiz Peña"]
    assert set(dates) == {date(2026, 3, 5)}


async def test_utf8_export_with_one_windows_1252_line_keeps_every_name(sessions, tmp_path):
    path = tmp_path / "export.csv"
    lines = [
        (",".join(HEADER), "utf-8"),
        (",".join(row("501", name="José Ruiz Peña")), "utf-8"),
        (",".join(row("502", name="Aïcha Özdemir")), "cp1252"),  # pasted in from another export
        (",".join(row("503", name="Zoë Bakker")), "utf-8"),
    ]
    path.write_bytes(b"".join(text.encode(encoding) + b"\r\n" for text, encoding in lines))
    result = await run_import(sessions, path)

    assert (result.imported, result.rejected) == (3, 0)
    summary = result.summary()
    assert (summary["encoding"], summary["windows_1252_lines"]) == ("mixed", [3])
    async with sessions() as session:
        names = (await session.scalars(sa.select(Client.name).order_by(Client.client_ref))).all()
    assert names == ["José Ruiz Peña", "Aïcha Özdemir", "Zoë Bakker"]


@pytest.mark.parametrize(
    "content, words",
    [
        (b"naam,wijk\nAnna,Selwerd\n", ["client_ref", "conversation_date"]),
        (b"PK\x03\x04binary-excel", ["Excel"]),
        (
            b"client_ref,name,wijk,conversation_date\n1,\x81\x8d\xff,Selwerd,2026-01-01\n",
            ["niet te lezen"],
        ),
        (b"", ["leeg"]),
    ],
    ids=["missing-header", "xlsx", "undecodable", "empty"],
)
async def test_unusable_file_is_refused_and_nothing_imported(sessions, tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as refused:
        await run_import(sessions, path)
    assert all(word in str(refused.value) for word in words), str(refused.value)
    assert await count(sessions, Client) == 0
    assert await count(sessions, AuditRecord) == 0
    assert not rejects_path(path).exists()


async def test_header_only_file_imports_nothing(sessions, tmp_path):
    result = await run_import(sessions, write_csv(tmp_path / "c.csv", [], header=HEADER))
    assert (result.rows, result.imported, result.rejected) == (0, 0, 0)


NOTATIONS = [
    "06-12345678",
    "+31 6 1234 5678",
    "0031612345678",
    "(06) 12345678",
    "612345678",
    "06 12 34 56 78",
    "+31(0)6-12345678",
]


async def test_every_usual_notation_is_stored_as_the_same_number(sessions, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [row(str(n), phone=notation) for n, notation in enumerate(NOTATIONS)]
    )
    result = await run_import(sessions, path)
    assert (result.imported, result.invalid_phone) == (len(NOTATIONS), 0)
    async with sessions() as session:
        stored = (await session.execute(sa.select(PhoneNumber.raw, PhoneNumber.e164))).all()
    assert sorted(raw for raw, _ in stored) == sorted(NOTATIONS)
    assert {e164 for _, e164 in stored} == {"+31612345678"}


HYPERLINK = '=HYPERLINK("http://x","y")'


async def test_the_rejects_file_holds_no_formula(sessions, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [row(HYPERLINK, name=""), row("2", date="2099-01-01"), row("3"), row("3", name="Dubbel")],
    )
    await run_import(sessions, path)
    with rejects_path(path).open(encoding="utf-8", newline="") as handle:
        rejects = list(csv.reader(handle))
    assert [line[:2] for line in rejects] == [
        ["line", "client_ref"],
        ["2", "'" + HYPERLINK],
        ["3", "2"],
        ["5", "3"],
    ]
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in rejects for cell in line)


async def test_a_cell_the_service_neutralised_reads_back_as_it_was(sessions, tmp_path):
    # The demo data writes "+31 6 …" as "'+31 6 …" (a formula to a spreadsheet otherwise).
    path = write_csv(
        tmp_path / "c.csv",
        [row("1", phone="'+31 6 12345678", name="'Anna"), row("2", phone="+31 6 87654321")],
    )
    result = await run_import(sessions, path)
    assert (result.imported, result.invalid_phone) == (2, 0)
    assert [p.e164 for p in await phones_of(sessions, "1")] == ["+31612345678"]
    async with sessions() as session:
        name = await session.scalar(sa.select(Client.name).where(Client.client_ref == "1"))
    assert name == "'Anna"  # an apostrophe the service did not add stays


async def test_demo_data_marks_formula_like_cells_and_imports_them_as_meant(sessions, tmp_path):
    rows = demo_rows(300, TODAY)
    international = [r for r in rows if r["phone"].startswith("+31 6 ")][:3]
    assert international, "the demo writes some numbers as +31 6 …"
    path = write_demo_file(tmp_path / "demo.csv", rows)
    text = path.read_text(encoding="cp1252")
    assert all(f'"\'{r["phone"]}"' in text for r in international)
    result = await run_import(sessions, path)
    assert result.rejected == 0
    for demo in international:
        digits = demo["phone"].removeprefix("+31 6 ")
        first, *_ = await phones_of(sessions, demo["client_ref"])
        assert first.e164 == f"+316{digits}"
