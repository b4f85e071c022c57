"""Debian's Chromium driven by Playwright; the browser is never downloaded."""

import shutil

import pytest

from tests.support.databases import in_ci

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if in_ci():
        pytest.fail(
            "CI runs the browser tests: install Debian's chromium (apt-get install chromium)"
        )
    pytest.skip("no chromium on this machine (apt-get install chromium)")


def sign_in(page, base: str, email: str, password: str) -> None:
    """Through the sign-in form, as a person does."""
    page.goto(base + "/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
