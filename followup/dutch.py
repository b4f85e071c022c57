"""How figures are written for Dutch readers, on pages and in the CLI alike."""


def percent(rate: float) -> str:
    """0.61 -> "61,0%": Dutch readers expect a decimal comma."""
    return f"{rate * 100:.1f}".replace(".", ",") + "%"


def file_problem(error: OSError) -> str:
    """Why a file could not be read or written, in Dutch rather than the system's English."""
    if isinstance(error, FileNotFoundError):
        return "het bestand of de map bestaat niet"
    if isinstance(error, PermissionError):
        return "u heeft geen toestemming voor dit bestand"
    if isinstance(error, IsADirectoryError):
        return "dit is een map, geen bestand"
    return "het bestand is niet te gebruiken"
