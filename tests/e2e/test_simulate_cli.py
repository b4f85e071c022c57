"""`followup simulate` as a coordinator runs it: a table in Dutch with the assumptions, or
JSON for programs; bad input exits 2 naming what to give instead."""

import json

import pytest

from tests.support.processes import clean_env, followup


def test_json_holds_each_strategy_with_its_interval_and_runs(tmp_path):
    result = followup(
        "simulate",
        *("--residents", "25", "--seeds", "2", "--strategies", "2016,full", "--json"),
        cwd=tmp_path,
        env=clean_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["residents"], document["seeds"]) == (25, 2)
    assert document["assumptions"]["pick_up_mean"] > 0
    assert [s["name"] for s in document["strategies"]] == ["2016", "full"]
    for strategy in document["strategies"]:
        reach = strategy["reach"]
        assert 0 <= reach["low"] <= reach["mean"] <= reach["high"]
        assert [run["seed"] for run in strategy["runs"]] == [1, 2]
        assert all(run["residents"] == 25 for run in strategy["runs"])
    assert not list(tmp_path.iterdir())  # the runs' databases are gone


def test_the_table_speaks_dutch_and_names_its_assumptions(tmp_path):
    result = followup(
        "simulate",
        *("--residents", "10", "--seeds", "1", "--strategies", "2016", "--jobs", "1"),
        cwd=tmp_path,
        env=clean_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Bereik per werkwijze: 10 inwoners, 1 runs per werkwijze" in result.stdout
    assert "2016: De praktijk van 2016" in result.stdout
    assert "Aannames (docs/reach.md" in result.stdout and "pick_up_mean = " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--residents", "0"], "--residents moet tussen 1 en 100.000 liggen"),
        (["--residents", "100001"], "--residents moet tussen 1 en 100.000 liggen"),
        (["--seeds", "0"], "--seeds moet tussen 1 en 20 liggen"),
        (["--jobs", "99"], "--jobs moet tussen 1 en 8 liggen"),
        (
            ["--strategies", "2016,morgen"],
            "onbekende werkwijze morgen; kies uit 2016, today, learned, announced, full",
        ),
        (["--strategies", ","], "onbekende werkwijze (geen)"),
    ],
)
def test_bad_input_exits_2_naming_it(tmp_path, args, message):
    result = followup("simulate", *args, cwd=tmp_path, env=clean_env())
    assert result.returncode == 2
    assert message in result.stderr
