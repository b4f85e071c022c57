import codecs
import csv
from pathlib import Path

import pytest

from followup.services.csv_file import BLOCK, MAX_FIELD_CHARS, CsvFile, ImportFileError, open_csv

NAMES = ["Aïcha Özdemir", "Ruiz Peña", "Jan de Vries"]


def _write(tmp_path: Path, data: bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _records_of(source: CsvFile) -> list[tuple[int, list[str]]]:
    with source.records() as records:
        return list(records)


def _lines(delimiter: str, *rows: list[str], newline: str = "\n") -> str:
    return "".join(delimiter.join(row) + newline for row in rows)


def _export(delimiter: str = ",", newline: str = "\n") -> str:
    return _lines(
        delimiter,
        ["client_ref", "name", "wijk"],
        *[[f"K{i}", name, "Centrum"] for i, name in enumerate(NAMES, 1)],
        newline=newline,
    )


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        pytest.param(_export(",").encode("utf-8"), ",", id="utf8-comma"),
        pytest.param(_export(";").encode("utf-8"), ";", id="utf8-semicolon"),
        pytest.param(codecs.BOM_UTF8 + _export(",").encode("utf-8"), ",", id="utf8-bom-comma"),
        pytest.param(codecs.BOM_UTF8 + _export(";").encode("utf-8"), ";", id="utf8-bom-semi"),
        pytest.param(_export(";", "\r\n").encode("utf-8"), ";", id="utf8-crlf"),
        pytest.param(_export(";", "\r\n").encode("cp1252"), ";", id="cp1252-semicolon-crlf"),
        pytest.param(_export(",").encode("cp1252"), ",", id="cp1252-comma"),
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path, data, delimiter):
    source = open_csv(_write(tmp_path, data))
    assert source.delimiter == delimiter
    assert source.data_rows == len(NAMES)
    records = _records_of(source)
    assert records[0] == (1, ["client_ref", "name", "wijk"])
    assert [cells[1] for _, cells in records[1:]] == NAMES


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param(_export().encode("utf-8"), "utf-8-sig", id="utf8"),
        pytest.param(codecs.BOM_UTF8 + _export().encode("utf-8"), "utf-8-sig", id="utf8-bom"),
        pytest.param(_export().encode("cp1252"), "cp1252", id="cp1252"),
        pytest.param(b"client_ref,name\nK1,Jan\n", "utf-8-sig", id="ascii"),
        pytest.param("client_ref;name\nK1;€ 10\n".encode("cp1252"), "cp1252", id="cp1252-euro"),
    ],
)
def test_detected_encoding(tmp_path, data, encoding):
    assert open_csv(_write(tmp_path, data)).encoding == encoding


def test_cp1252_byte_after_first_block_is_still_found(tmp_path):
    filler = "".join(f"K{i},Jan de Vries,Centrum\n" for i in range(BLOCK // 20))
    text = "client_ref,name,wijk\n" + filler + "K0,Ruiz Peña,Centrum\n"
    source = open_csv(_write(tmp_path, text.encode("cp1252")))
    assert source.encoding == "cp1252"
    assert _records_of(source)[-1][1] == ["K0", "Ruiz Peña", "Centrum"]


def _mixed(*lines: tuple[str, str], bom: bytes = b"") -> bytes:
    """One file from (text, encoding) lines, as when rows are pasted in from another export."""
    return bom + b"".join(text.encode(encoding) + b"\r\n" for text, encoding in lines)


def test_utf8_file_with_a_windows_1252_line_reads_each_line_as_what_it_is(tmp_path):
    data = _mixed(
        ("client_ref,name,wijk", "utf-8"),
        ("K1,José Ruiz,Centrum", "utf-8"),
        ("K2,Aïcha Özdemir,Oost", "cp1252"),
        ("K3,Ruiz Peña,West", "utf-8"),
    )
    source = open_csv(_write(tmp_path, data))
    assert (source.encoding, source.windows_1252_lines) == ("mixed", (3,))
    assert [cells[1] for _, cells in _records_of(source)][1:] == [
        "José Ruiz",
        "Aïcha Özdemir",
        "Ruiz Peña",
    ]


def test_mixed_file_with_bom_and_a_quoted_newline_reads_every_line_right(tmp_path):
    data = _mixed(
        ("client_ref;name;wijk", "utf-8"),
        ('K1;"José', "utf-8"),
        ('Peña";Centrum', "cp1252"),  # the same record, its second line
        ("K2;Ruiz Peña;Oost", "utf-8"),
        ("K3;Aïcha;West", "cp1252"),
        bom=codecs.BOM_UTF8,
    )
    source = open_csv(_write(tmp_path, data))
    assert (source.encoding, source.windows_1252_lines) == ("mixed", (3, 5))
    assert _records_of(source)[1:] == [
        (2, ["K1", "José\r\nPeña", "Centrum"]),
        (4, ["K2", "Ruiz Peña", "Oost"]),
        (5, ["K3", "Aïcha", "West"]),
    ]


def test_utf8_line_is_not_refused_for_bytes_windows_1252_lacks(tmp_path):
    # "Á" is C3 81 in UTF-8; 0x81 means nothing in Windows-1252.
    data = _mixed(("client_ref,name", "utf-8"), ("K1,Ángel", "utf-8"), ("K2,Peña", "cp1252"))
    source = open_csv(_write(tmp_path, data))
    assert source.windows_1252_lines == (3,)
    assert [cells[1] for _, cells in _records_of(source)] == ["name", "Ángel", "Peña"]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_export().encode("utf-8"), id="utf8"),
        pytest.param(_export().encode("cp1252"), id="cp1252"),
        pytest.param(b"client_ref,name\nK1,Jan\n", id="ascii"),
    ],
)
def test_a_file_in_one_encoding_lists_no_lines(tmp_path, data):
    assert open_csv(_write(tmp_path, data)).windows_1252_lines == ()


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_lines_ending_in_a_lone_carriage_return_are_lines(tmp_path, encoding):
    data = "client_ref;name\rK1;Ruiz Peña\rK2;Jan\r".encode(encoding)
    source = open_csv(_write(tmp_path, data))
    assert _records_of(source) == [
        (1, ["client_ref", "name"]),
        (2, ["K1", "Ruiz Peña"]),
        (3, ["K2", "Jan"]),
    ]


# --- delimiter and counting --------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_line", "delimiter"),
    [
        pytest.param("client_ref,name,wijk", ",", id="comma"),
        pytest.param("client_ref;name;wijk", ";", id="semicolon"),
        pytest.param("client_ref;name;wijk,buurt", ";", id="more-semicolons"),
        pytest.param("client_ref,name,wijk;buurt", ",", id="more-commas"),
        pytest.param("client_ref", ",", id="single-column"),
        pytest.param('"client_ref";"name";"wijk"', ";", id="quoted-semicolon"),
        pytest.param("\r\nclient_ref;name;wijk", ";", id="blank-line-before-header"),
    ],
)
def test_delimiter_is_detected_from_the_header(tmp_path, first_line, delimiter):
    path = _write(tmp_path, (first_line + "\nK1;Peña, R.;Centrum\n").encode())
    assert open_csv(path).delimiter == delimiter


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        pytest.param("a;b;c\n", 0, id="header-only"),
        pytest.param("a;b;c", 0, id="header-without-newline"),
        pytest.param("a;b;c\n1;2;3\n", 1, id="one-row"),
        pytest.param("a;b;c\n1;2;3", 1, id="no-final-newline"),
        pytest.param("a;b;c\n1;2;3\n\n\n4;5;6\n\n", 2, id="blank-lines"),
        pytest.param("a;b;c\n1;2;3\n;;;;\n;;\n4;5;6\n", 2, id="delimiter-only-lines"),
        pytest.param("a;b;c\n1;2;3\n ; ;\t\n", 1, id="whitespace-cells"),
        pytest.param("a;b;c\r\n1;2;3\r\n\r\n;;\r\n", 1, id="crlf"),
        pytest.param('a;b;c\n1;"two\nlines";3\n4;5;6\n', 2, id="multiline-field"),
        pytest.param("\n\na;b;c\n1;2;3\n", 1, id="blank-before-header"),
    ],
)
def test_data_rows_counts_rows_with_content(tmp_path, text, rows):
    assert open_csv(_write(tmp_path, text.encode())).data_rows == rows


def test_records_give_the_line_each_record_starts_on(tmp_path):
    text = (
        "client_ref,name,wijk\n"  # 1
        'K1,"Jan\n'  # 2
        'de Vries",Centrum\n'  # 3
        "\n"  # 4
        ",,\n"  # 5
        "K2,Ruiz Peña,Oost\n"  # 6
        '"K3","Aïcha ""Ai"" Özdemir","West\n'  # 7
        "\n"  # 8
        'Noord"\n'  # 9
        "K4,Piet,Zuid"  # 10
    )
    source = open_csv(_write(tmp_path, text.encode()))
    assert _records_of(source) == [
        (1, ["client_ref", "name", "wijk"]),
        (2, ["K1", "Jan\nde Vries", "Centrum"]),
        (6, ["K2", "Ruiz Peña", "Oost"]),
        (7, ["K3", 'Aïcha "Ai" Özdemir', "West\n\nNoord"]),
        (10, ["K4", "Piet", "Zuid"]),
    ]
    assert source.data_rows == 4


def test_records_line_numbers_with_crlf_and_bom(tmp_path):
    text = 'client_ref;name\r\nK1;"Jan\r\nde Vries"\r\n\r\nK2;Piet\r\n'
    source = open_csv(_write(tmp_path, codecs.BOM_UTF8 + text.encode()))
    assert _records_of(source) == [
        (1, ["client_ref", "name"]),
        (2, ["K1", "Jan\r\nde Vries"]),
        (5, ["K2", "Piet"]),
    ]


# --- refused files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(b"", ["leeg"], id="empty"),
        pytest.param(b"  \r\n\n\t\n", ["leeg"], id="only-whitespace"),
        pytest.param(codecs.BOM_UTF8, ["leeg"], id="only-bom"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, ["Excel", "CSV"], id="xlsx"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, ["Excel"], id="xls"),
        pytest.param(codecs.BOM_UTF16_LE + _export().encode("utf-16-le"), ["UTF-16"],
                     id="utf16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + _export().encode("utf-16-be"), ["UTF-16"],
                     id="utf16-be-bom"),
        pytest.param(_export().encode("utf-16-le"), ["binaire"], id="utf16-without-bom"),
        pytest.param(b"client_ref,name\nK1,Jan\x00\n", ["binaire"], id="nul-byte"),
        pytest.param(b"client_ref,name\n\x81\x8d\n", ["byte 17", "UTF-8", "Windows-1252"],
                     id="undecodable-bytes"),
        pytest.param(b"\x8dclient_ref,name\n", ["byte 1"], id="undecodable-first-byte"),
        pytest.param(b'client_ref,name\nK1,"Jan\nK2,Piet\n', ["aanhalingstekens"],
                     id="unterminated-quote"),
        pytest.param(b'client_ref,name\nK1,"Jan"de Vries\n', ["aanhalingstekens", "regel 2"],
                     id="text-after-closing-quote"),
    ],
)  # fmt: skip
def test_unusable_files_are_refused(tmp_path, data, words):
    with pytest.raises(ImportFileError) as error:
        open_csv(_write(tmp_path, data))
    for word in words:
        assert word in str(error.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ImportFileError, match="niet gevonden"):
        open_csv(tmp_path / "nergens.csv")


def test_directory_is_refused(tmp_path):
    with pytest.raises(ImportFileError, match="niet gevonden"):
        open_csv(tmp_path)


def test_nul_byte_after_first_block_is_refused(tmp_path):
    filler = "".join(f"K{i},Jan,Centrum\n" for i in range(BLOCK // 10))
    data = ("client_ref,name,wijk\n" + filler).encode() + b"K0,J\x00n,Oost\n"
    assert len(data) > BLOCK
    with pytest.raises(ImportFileError, match="binaire"):
        open_csv(_write(tmp_path, data))


def test_undecodable_byte_after_first_block_names_its_position(tmp_path):
    head = ("client_ref,name,wijk\n" + "K1,Jan,Centrum\n" * (BLOCK // 10)).encode()
    data = head + b"K2,\x81,Oost\n"
    position = len(head) + 3 + 1
    with pytest.raises(ImportFileError, match=f"byte {position} "):
        open_csv(_write(tmp_path, data))


# --- over-long fields --------------------------------------------------------------------

LONG = "x" * (MAX_FIELD_CHARS + 1)


def test_a_field_of_128_kb_is_read(tmp_path):
    longest = "x" * MAX_FIELD_CHARS
    source = open_csv(_write(tmp_path, f"klantnummer;naam\nK1;{longest}\n".encode()))
    assert _records_of(source)[1] == (2, ["K1", longest])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param(
            f'klantnummer;naam;wijk\nK1;Jan;Oost\nK2;"{LONG}";West\n',
            ["'naam'", "regel 3", "te lang", "131.072 tekens"],
            id="quoted",
        ),
        pytest.param(
            f"klantnummer;naam;wijk\nK1;Jan;{LONG}\n", ["'wijk'", "regel 2"], id="unquoted"
        ),
        pytest.param(
            # The quote opened on line 3 closes only at the end: everything between is one field.
            'klantnummer;naam;wijk\nK1;Jan;Oost\nK2;"Piet;West\n'
            + "K3;Jan;Oost\n" * (MAX_FIELD_CHARS // 10)
            + 'K4;Kees";Zuid\n',
            ["'naam'", "regel 3", "te lang", "aanhalingsteken"],
            id="unclosed-quote",
        ),
        pytest.param(
            f"klantnummer;naam\nK1;Jan;{LONG}\n", ["kolom 3", "regel 2"], id="beyond-header"
        ),
        pytest.param(f"klantnummer;{LONG}\n", ["kolom 2", "regel 1"], id="in-header"),
        pytest.param(
            f"klantnummer;naam\nK1;Jan\n{' ' * (MAX_FIELD_CHARS + 1)}\nK2;Piet\n",
            ["'klantnummer'", "regel 3"],
            id="blank",
        ),
    ],
)
def test_over_long_field_is_refused_naming_line_and_column(tmp_path, text, words):
    with pytest.raises(ImportFileError) as error:
        open_csv(_write(tmp_path, text.encode()))
    for word in words:
        assert word in str(error.value)


def test_reading_leaves_the_csv_modules_limit_as_it_was(tmp_path):
    before = csv.field_size_limit()
    open_csv(_write(tmp_path, _export().encode(), "good.csv"))
    with pytest.raises(ImportFileError):
        open_csv(_write(tmp_path, f"a;b\n1;{LONG}\n".encode(), "long.csv"))
    assert csv.field_size_limit() == before
