"""Open the municipality's export: find its encoding and delimiter, and make sure it is
CSV all the way through before a single row is written."""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 16
_EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class ImportFileError(Exception):
    """The file as a whole cannot be used; the message is for the coordinator (Dutch)."""


@dataclass(frozen=True, slots=True)
class CsvFile:
    path: Path
    encoding: str
    delimiter: str
    data_rows: int

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line number where the record starts, cells), header first; blank lines skipped."""
        with self.path.open(encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter, strict=True)
            start = 1
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield start, cells
                start = reader.line_num + 1


def open_csv(path: Path) -> CsvFile:
    if not path.is_file():
        raise ImportFileError(f"bestand niet gevonden: {path}")
    with path.open("rb") as handle:
        head = handle.read(BLOCK)
    if not head.strip():
        raise ImportFileError("het bestand is leeg")
    if head.startswith(_EXCEL_SIGNATURES):
        raise ImportFileError(
            "dit is een Excel-bestand, geen CSV; sla het in Excel op als 'CSV (gescheiden door "
            "lijstscheidingsteken)' en probeer het opnieuw"
        )
    if head.startswith(_UTF16_BOMS):
        raise ImportFileError("het bestand is opgeslagen als UTF-16; sla het op als CSV (UTF-8)")
    if b"\x00" in head:
        raise ImportFileError("dit is geen CSV-bestand: het bevat binaire gegevens")
    encoding = _detect_encoding(path)
    lines = head.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise ImportFileError("het bestand is leeg")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    data_rows = _check_structure(path, encoding, delimiter)
    return CsvFile(path, encoding, delimiter, data_rows)


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else Windows-1252,
    which is what Excel on a Dutch Windows machine writes."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            with path.open("rb") as handle:
                while block := handle.read(BLOCK):
                    decoder.decode(block)
                    offset += len(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as error:
            position = offset + error.start
    raise ImportFileError(
        f"het bestand is niet te lezen: byte {position + 1} past niet in UTF-8 of "
        "Windows-1252; sla het op als CSV (UTF-8)"
    )


def _check_structure(path: Path, encoding: str, delimiter: str) -> int:
    count = -1
    try:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    count += 1
                if "\x00" in "".join(cells):
                    raise ImportFileError(f"regel {reader.line_num} bevat binaire gegevens")
    except csv.Error as error:
        raise ImportFileError(
            f"dit is geen geldig CSV-bestand (rond regel {reader.line_num}): "
            "controleer de aanhalingstekens"
        ) from error
    return max(count, 0)
