"""How figures are written for Dutch readers, on pages and in the CLI alike."""


def percent(rate: float) -> str:
    """0.61 -> "61,0%": Dutch readers expect a decimal comma."""
    return f"{rate * 100:.1f}".replace(".", ",") + "%"
