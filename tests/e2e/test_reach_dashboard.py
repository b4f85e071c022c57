"""A coordinator opens the reach dashboard in a real browser, filters on a wijk and downloads
both files, which hold the filtered figures; an agent and an anonymous visitor are refused."""

import csv
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect, sync_playwright

from followup.rules.domain import ReportGrouping
from followup.rules.report_labels import sheet_name
from tests.support.browser import CHROMIUM_ARGS, chromium_path, sign_in
from tests.support.files import row, write_csv
from tests.support.processes import clean_env, followup, serving

pytestmark = pytest.mark.browser
PASSWORD = "een lang wachtwoord"
COORDINATOR, AGENT = "coordinator@gemeente.example", "agent@gemeente.example"


def test_a_coordinator_filters_the_dashboard_and_downloads_its_figures(tmp_path):
    env = clean_env()
    assert followup("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    residents = write_csv(
        tmp_path / "inwoners.csv",
        [
            row("K1", wijk="Selwerd", phone="06-12345678"),
            row("K2", wijk="Selwerd", phone="06-12345679"),
            row("K3", wijk="Paddepoel", phone="06-12345670"),
        ],
    )
    assert followup("import", str(residents), cwd=tmp_path, env=env).returncode == 0
    planned = followup("plan", "--now", "2026-08-03T10:00:00+02:00", cwd=tmp_path, env=env)
    assert planned.returncode == 0, planned.stderr
    assert followup("outcome", "K1", "active", cwd=tmp_path, env=env).returncode == 0
    for email, role in ((COORDINATOR, "coordinator"), (AGENT, "agent")):
        added = followup(
            "user", "add", email, "--role", role, cwd=tmp_path, env=env, stdin=PASSWORD + "\n"
        )
        assert added.returncode == 0, added.stderr

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        with serving(cwd=tmp_path, env=env) as base:
            anonymous = browser.new_page()
            anonymous.goto(base + "/bereik")
            expect(anonymous).to_have_title("Inloggen – followup")
            anonymous.close()

            agent = browser.new_page()
            sign_in(agent, base, AGENT, PASSWORD)
            answer = agent.goto(base + "/bereik")
            assert answer.status == 403
            agent.close()

            page = browser.new_page(accept_downloads=True)
            sign_in(page, base, COORDINATOR, PASSWORD)
            page.get_by_role("banner").get_by_role("link", name="Bereik").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Bereik")
            expect(page.locator("#samenvatting")).to_contain_text("3 inwoners benaderd")
            page.get_by_label("Wijk", exact=True).select_option("Selwerd")
            page.get_by_role("button", name="Toon").click()
            expect(page).to_have_url(base + "/bereik?van=&tot=&wijk=Selwerd")
            expect(page.locator("#samenvatting")).to_contain_text(
                "2 inwoners benaderd: 1 actief geworden"
            )

            with page.expect_download() as excel:
                page.get_by_role("button", name="Download Excel").click()
            assert excel.value.suggested_filename == "bereik-alle-maanden-selwerd.xlsx"
            book = load_workbook(io.BytesIO(excel.value.path().read_bytes()))
            sheet = book[sheet_name(ReportGrouping.WIJK)]
            assert [cell.value for cell in list(sheet.rows)[1]][:3] == ["Selwerd", 2, 1]

            # For outside the team: small counts hidden.
            page.get_by_label("Kleine aantallen in het bestand").select_option("5")
            with page.expect_download() as table:
                page.get_by_role("button", name="Download CSV").click()
            assert table.value.suggested_filename == "bereik-alle-maanden-selwerd.csv"
            text = table.value.path().read_text(encoding="utf-8-sig")
            lines = list(csv.reader(io.StringIO(text), delimiter=";"))
            assert lines[1][:4] == ["wijk", "Selwerd", "<5", "<5"]
        browser.close()
