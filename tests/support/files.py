"""Write import files the way municipal exports come: any header, delimiter and encoding."""

import csv
from pathlib import Path

from followup.rules.import_rows import Field

HEADER = [field.value for field in Field]


def write_csv(
    path: Path,
    rows: list[list[str]],
    header: list[str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header or HEADER)
        writer.writerows(rows)
    return path


def row(
    ref: str,
    name: str = "Anna de Vries",
    wijk: str = "Selwerd",
    date: str = "2026-05-01",
    phone: str = "06-12345678",
    phone_alt: str = "",
    email: str = "",
    months: str = "",
    initiative: str = "",
    channel: str = "",
    link_in_sms: str = "",
) -> list[str]:
    return [
        ref,
        name,
        wijk,
        date,
        phone,
        phone_alt,
        email,
        months,
        initiative,
        channel,
        link_in_sms,
    ]
