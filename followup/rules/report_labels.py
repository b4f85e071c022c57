"""The reach report's Dutch headings and names, in every form people read it (the table, the
workbook, the spreadsheet CSV). The CSV and JSON for programs keep the English keys."""

from followup.rules.domain import OUTCOME_LABELS_NL, OutcomeCategory, ReportGrouping

KEY_HEADINGS = {
    ReportGrouping.WIJK: "wijk",
    ReportGrouping.ROUND: "ronde",
    ReportGrouping.CHANNEL: "kanaal",
    ReportGrouping.AGENT: "medewerker",
    ReportGrouping.MONTH: "maand",
}
FIGURE_HEADINGS = {
    "approached": "benaderd",
    "reached": "bereikt",
    "reach_rate": "bereik",
    **{category.value: OUTCOME_LABELS_NL[category] for category in OutcomeCategory},
    "no_answer": "geen antwoord",
    "invalid_number": "onjuist nummer",
    "no_contact_details": "geen gegevens",
    "opted_out": "afgemeld",
    "open": "nog open",
}
CHANNEL_NAMES_NL = {"call": "bellen", "sms": "sms", "email": "e-mail", "none": "geen"}
TOTAL_LABEL = "Totaal"
# The heading over the first column when one file holds several groupings.
GROUPING_HEADING = "indeling"


def key_text(by: ReportGrouping, key: str | int) -> str | int:
    """A group's key as people read it: channels in Dutch, the rest as they are."""
    return CHANNEL_NAMES_NL[str(key)] if by is ReportGrouping.CHANNEL else key


def sheet_name(by: ReportGrouping) -> str:
    return f"Per {KEY_HEADINGS[by]}"
