"""Open the municipality's export: find its encoding and delimiter, and make sure it is
CSV all the way through before a single row is written.

The file is read as bytes and split into lines where text mode would split them (`\\r\\n`,
`\\r` or `\\n`, the same bytes in UTF-8 and Windows-1252), and each line is decoded before
the csv module sees it. That lets a UTF-8 file with a line or two in Windows-1252 (rows
pasted in from another export) be read line by line, each as what it is.
"""

import codecs
import csv
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from itertools import chain
from operator import methodcaller
from pathlib import Path

BLOCK = 1 << 16
# The csv module's own default limit, so records() reads any file _check_structure passed.
MAX_FIELD_CHARS = 128 * 1024
_MAX_FIELD_DUTCH = f"{MAX_FIELD_CHARS:,}".replace(",", ".")  # 131.072
_EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

UTF8 = "utf-8-sig"
WINDOWS_1252 = "cp1252"
MIXED = "mixed"  # UTF-8, with the lines that are not UTF-8 read as Windows-1252


class ImportFileError(Exception):
    """The file as a whole cannot be used; the message is for the coordinator (Dutch)."""


@dataclass(frozen=True, slots=True)
class CsvFile:
    path: Path
    encoding: str  # UTF8, WINDOWS_1252 or MIXED
    delimiter: str
    data_rows: int
    windows_1252_lines: tuple[int, ...] = ()  # in a MIXED file: the lines read as Windows-1252

    @contextmanager
    def records(self) -> Iterator[Iterator[tuple[int, list[str]]]]:
        """(line number where the record starts, cells), header first; blank lines skipped.
        The file closes when the block ends, however it ends, not when the collector runs."""
        with closing(_lines(self.path)) as lines:
            yield _records(lines, self.encoding, self.delimiter)


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
    encoding, windows_1252_lines = _detect_encoding(path, has_bom=head.startswith(codecs.BOM_UTF8))
    with closing(_lines(path)) as lines:
        decoded = map(_DECODERS[encoding], lines)
        header_line = next((line for line in decoded if line.strip()), None)
    if header_line is None:
        raise ImportFileError("het bestand is leeg")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    data_rows = _check_structure(path, encoding, delimiter)
    return CsvFile(path, encoding, delimiter, data_rows, windows_1252_lines)


def _lines(path: Path) -> Iterator[bytes]:
    """The file's lines as bytes, line ends kept, without a leading UTF-8 BOM; split where
    text mode with newline="" splits them, so line numbers agree with the csv module's."""
    with path.open("rb") as handle:
        first = handle.readline().removeprefix(codecs.BOM_UTF8)
        for piece in chain([first], handle):  # each piece ends at b"\n"
            yield from piece.splitlines(keepends=True)


def _detect_encoding(path: Path, *, has_bom: bool) -> tuple[str, tuple[int, ...]]:
    """UTF-8 (with or without BOM) when every line decodes as such, else Windows-1252,
    which is what Excel on a Dutch Windows machine writes. A file with both, lines that
    only Windows-1252 can read and a BOM or lines of UTF-8 text, is MIXED: its Windows-1252
    lines are returned so the coordinator can check them."""
    utf8_text = has_bom
    windows_1252_lines: list[int] = []
    offset = len(codecs.BOM_UTF8) if has_bom else 0
    with closing(_lines(path)) as lines:
        for number, line in enumerate(lines, 1):
            if not line.isascii():
                try:
                    line.decode("utf-8")
                    utf8_text = True
                except UnicodeDecodeError:
                    try:
                        line.decode("cp1252")
                    except UnicodeDecodeError as error:
                        raise ImportFileError(
                            f"het bestand is niet te lezen: byte {offset + error.start + 1} "
                            f"(regel {number}) past niet in UTF-8 of Windows-1252; sla het op als "
                            "CSV (UTF-8)"
                        ) from None
                    windows_1252_lines.append(number)
            offset += len(line)
    if not windows_1252_lines:
        return UTF8, ()
    if not utf8_text:
        return WINDOWS_1252, ()
    return MIXED, tuple(windows_1252_lines)


def _decode_mixed(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252")


_DECODERS: dict[str, Callable[[bytes], str]] = {
    UTF8: methodcaller("decode", "utf-8"),  # the BOM is already gone (_lines)
    WINDOWS_1252: methodcaller("decode", "cp1252"),
    MIXED: _decode_mixed,
}


def _reader(lines: Iterator[bytes], encoding: str, delimiter: str):
    return csv.reader(map(_DECODERS[encoding], lines), delimiter=delimiter, strict=True)


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for every record, blank ones too."""
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _has_content(cells: list[str]) -> bool:
    return any(cell.strip() for cell in cells)


def _records(
    lines: Iterator[bytes], encoding: str, delimiter: str
) -> Iterator[tuple[int, list[str]]]:
    numbered = _numbered(_reader(lines, encoding, delimiter))
    return ((line, cells) for line, cells in numbered if _has_content(cells))


def _check_structure(path: Path, encoding: str, delimiter: str) -> int:
    """Read the whole file as CSV once; the number of data rows with content."""
    header: list[str] | None = None
    data_rows = 0
    # No field holds more characters than the file has bytes: with that as the reader's
    # limit it never stops at it, and _check_cells can say which column is too long.
    with (
        closing(_lines(path)) as lines,
        _field_size_limit(max(MAX_FIELD_CHARS, path.stat().st_size)),
    ):
        reader = _reader(lines, encoding, delimiter)
        try:
            for line, cells in _numbered(reader):
                _check_cells(line, cells, header)
                if not _has_content(cells):
                    continue
                if header is None:
                    header = cells
                else:
                    data_rows += 1
        except csv.Error as error:
            raise ImportFileError(
                f"dit is geen geldig CSV-bestand (rond regel {reader.line_num}): "
                "controleer de aanhalingstekens"
            ) from error
    return data_rows


@contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    """The csv module's limit is global to the process: raise it for one pass, then put it
    back. The pass never awaits, so no other task on this event loop reads meanwhile."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _check_cells(line: int, cells: list[str], header: list[str] | None) -> None:
    joined = "".join(cells)
    if "\x00" in joined:
        raise ImportFileError(f"regel {line} bevat binaire gegevens")
    if len(joined) <= MAX_FIELD_CHARS:  # no cell is longer than all of them together
        return
    for index, cell in enumerate(cells):
        if len(cell) > MAX_FIELD_CHARS:
            raise ImportFileError(_too_long(line, _column(header, index)))


def _column(header: list[str] | None, index: int) -> str:
    """The column as the header names it, else its number (counting from 1)."""
    name = header[index].strip() if header and index < len(header) else ""
    return repr(name) if name else str(index + 1)


def _too_long(line: int, column: str) -> str:
    return (
        f"de tekst in kolom {column} op regel {line} is te lang (meer dan {_MAX_FIELD_DUTCH} "
        'tekens); vaak komt dat door een aanhalingsteken (") dat niet is afgesloten'
    )
