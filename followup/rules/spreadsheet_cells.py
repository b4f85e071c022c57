"""No file the service writes holds a cell a spreadsheet would run as a formula (CONTRACT 8).

OWASP's advice on CSV injection: a text cell beginning with `=`, `+`, `-`, `@`, a tab or a
carriage return may be taken for a formula (`=cmd|' /C calc'!A0`, `=HYPERLINK(…)`), so such
a cell gets a leading apostrophe. Every CSV quotes every cell too (OWASP again), so a
separator inside a value (`1;=cmd…` read by a Dutch Excel) never starts a cell of its own.
A single character cannot hold a formula and is left as
it is: the report's "-" (no agent) stays what scripts expect. Numbers are numbers, never
formulas, and are left alone.
"""

from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"

T = TypeVar("T")


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as the start of a formula? Some trim leading spaces
    first (Google Sheets), so " =1+1" would be one too."""
    return len(text) > 1 and (
        text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)
    )


def safe_cell(value: T) -> T | str:
    """The value for a CSV cell: formula-like text with a leading apostrophe, the rest as is."""
    if isinstance(value, str) and formula_like(value):
        return _QUOTE + value
    return value


def restore_cell(text: str) -> str:
    """The text before `safe_cell`: a file the service wrote (demo data, say) reads back as
    it was. Only the apostrophe `safe_cell` adds is taken off."""
    unquoted = text.removeprefix(_QUOTE)
    return unquoted if unquoted != text and formula_like(unquoted) else text
