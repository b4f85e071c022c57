"""`followup plan` and `followup planning` as coordinators run them."""

import json

import pytest

from tests.support.files import row, write_csv
from tests.support.processes import clean_env, followup


@pytest.fixture
def loaded(db_url, tmp_path):
    env = clean_env(db_url)
    path = write_csv(
        tmp_path / "c.csv", [row("A", date="2025-12-01"), row("D", phone="", date="2025-12-01")]
    )
    assert followup("import", str(path), cwd=tmp_path, env=env).returncode == 0
    return env


def test_plan_json_dry_run_then_real_then_idempotent(loaded, tmp_path):
    args = ("plan", "--now", "2026-03-02T10:00", "--json")
    dry = followup(*args, "--dry-run", cwd=tmp_path, env=loaded)
    assert dry.returncode == 0, dry.stderr
    preview = json.loads(dry.stdout)
    assert preview["dry_run"] is True
    assert preview["details"]["opened"] == [{"client_ref": "A", "round": 1}]
    assert preview["details"]["closed"] == [
        {"client_ref": "D", "category": "unreachable", "reason": "no_contact_details"}
    ]

    real = json.loads(followup(*args, cwd=tmp_path, env=loaded).stdout)
    assert (real["follow_ups_opened"], real["attempts_queued"]) == (2, 1)  # the dry run left none
    again = json.loads(followup(*args, cwd=tmp_path, env=loaded).stdout)
    assert (again["follow_ups_opened"], again["attempts_queued"], again["rounds_closed"]) == (
        0,
        0,
        0,
    )


def test_plan_prints_a_dutch_summary(loaded, tmp_path):
    result = followup("plan", "--now", "2026-03-02T10:00+01:00", cwd=tmp_path, env=loaded)
    assert result.returncode == 0, result.stderr
    assert "nabellingen geopend:      2" in result.stdout


@pytest.mark.parametrize("value", ["gisteren", "2026-13-01", "02-03-2026 10:00"])
def test_now_that_is_not_iso_8601_exits_2(loaded, tmp_path, value):
    result = followup("plan", "--now", value, cwd=tmp_path, env=loaded)
    assert result.returncode == 2
    assert "ISO 8601" in result.stderr


def test_planning_settings_round_trip_and_refusal(loaded, tmp_path):
    shown = followup("planning", "show", cwd=tmp_path, env=loaded)
    rules = json.loads(shown.stdout)
    assert rules["rounds"] == 2

    rules["rounds"] = 3
    (tmp_path / "ok.json").write_text(json.dumps(rules))
    assert followup("planning", "set", "ok.json", cwd=tmp_path, env=loaded).returncode == 0
    assert json.loads(followup("planning", "show", cwd=tmp_path, env=loaded).stdout)["rounds"] == 3

    for field, value in [
        ("rounds", 0),
        ("round_gap_days", -1),
        ("message_window", {"days": ["mon"], "start": "20:00", "end": "09:00"}),
    ]:
        bad = {**rules, field: value}
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        refused = followup("planning", "set", "bad.json", cwd=tmp_path, env=loaded)
        assert refused.returncode == 2
        assert field in refused.stderr, refused.stderr
    assert json.loads(followup("planning", "show", cwd=tmp_path, env=loaded).stdout)["rounds"] == 3


def test_unusable_stored_settings_stop_plan_and_serve(loaded, tmp_path, db_url):
    import asyncio

    import sqlalchemy as sa

    from followup.store.engine import create_engine

    async def spoil() -> None:
        engine = create_engine(db_url)
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO app_settings (key, value, updated_at) "
                    "VALUES ('planning', '{\"rounds\": 0}', CURRENT_TIMESTAMP)"
                )
            )
        await engine.dispose()

    asyncio.run(spoil())
    for args in (("plan",), ("serve", "--port", "1")):
        result = followup(*args, cwd=tmp_path, env=loaded)
        assert result.returncode == 2
        assert "rounds" in result.stderr
