"""The `followup` command as users run it: exit codes, stdout and stderr, files beside the input."""

import csv
import json

import pytest

from followup.store.migrate import head_revision
from tests.support.files import HEADER, row, write_csv
from tests.support.processes import clean_env, followup, listening_socket

COMMANDS = [
    [],
    ["db"],
    ["db", "upgrade"],
    ["import"],
    ["user"],
    ["user", "add"],
    ["serve"],
    ["demo-data"],
    ["plan"],
    ["planning"],
    ["report"],
    ["dispatch"],
    ["sim-carrier"],
    ["worker"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "followup")
def test_every_command_has_help(command, tmp_path):
    result = followup(*command, "--help", cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert "usage: followup" in result.stdout


def test_db_upgrade_creates_then_reports_up_to_date(empty_db_url, tmp_path):
    env = clean_env(empty_db_url)
    first = followup("db", "upgrade", cwd=tmp_path, env=env)
    again = followup("db", "upgrade", cwd=tmp_path, env=env)
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert f"van leeg naar {head_revision()}" in first.stdout
    assert "al bijgewerkt" in again.stdout


def test_commands_refuse_a_database_that_was_not_upgraded(empty_db_url, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row("1")])
    result = followup("import", str(path), cwd=tmp_path, env=clean_env(empty_db_url))
    assert result.returncode == 2
    assert "followup db upgrade" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("FOLLOWUP_TIMEZONE", "Mars/Olympus"), ("FOLLOWUP_LOG_FORMAT", "xml")]
)
def test_bad_setting_is_refused_naming_the_variable(tmp_path, name, value):
    result = followup("db", "upgrade", cwd=tmp_path, env=clean_env(**{name: value}))
    assert result.returncode == 2
    assert name in result.stderr


def test_serve_refuses_a_metrics_port_in_use(tmp_path):
    with listening_socket() as taken:
        port = str(taken.getsockname()[1])
        env = clean_env(FOLLOWUP_METRICS_PORT=port)
        result = followup("serve", "--port", "0", cwd=tmp_path, env=env, timeout=30)
    assert result.returncode == 2
    assert f"kan niet luisteren op 127.0.0.1:{port}" in result.stderr


def test_settings_are_read_from_a_dot_env_file(tmp_path):
    (tmp_path / ".env").write_text("FOLLOWUP_DATABASE_URL=sqlite:///./from-dotenv.db\n")
    result = followup("db", "upgrade", cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv.db").exists()


def test_import_json_summary_and_exit_0(db_url, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row("1"), row("2", phone="06-12ab")])
    result = followup("import", str(path), "--json", cwd=tmp_path, env=clean_env(db_url))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # stdout is one JSON document and nothing else
    assert {k: summary[k] for k in ("imported", "updated", "rejected", "invalid_phone")} == {
        "imported": 2,
        "updated": 0,
        "rejected": 0,
        "invalid_phone": 1,
    }
    assert not (tmp_path / "c.csv.rejects.csv").exists()


def test_import_with_rejects_exits_1_and_writes_the_rejects_file(db_url, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row("1"), row("2", date="2099-01-01"), row("1")])
    result = followup("import", str(path), cwd=tmp_path, env=clean_env(db_url))
    assert result.returncode == 1, result.stderr
    assert "afgewezen:                  2" in result.stdout
    with (tmp_path / "c.csv.rejects.csv").open(encoding="utf-8", newline="") as handle:
        rejects = list(csv.reader(handle))
    assert rejects[0] == ["line", "client_ref", "reason"]
    assert [r[:2] for r in rejects[1:]] == [["3", "2"], ["4", "1"]]


def _utf8_with_windows_1252_lines(path, windows_1252_refs):
    lines = [",".join(HEADER)] + [",".join(row(str(n), name="Zoë Peña")) for n in range(1, 4)]
    path.write_bytes(
        b"".join(
            line.encode("cp1252" if line.split(",")[0] in windows_1252_refs else "utf-8") + b"\n"
            for line in lines
        )
    )
    return path


def test_import_names_the_lines_it_read_as_windows_1252(db_url, tmp_path):
    path = _utf8_with_windows_1252_lines(tmp_path / "c.csv", {"1", "3"})
    env = clean_env(db_url)
    text = followup("import", str(path), "--dry-run", cwd=tmp_path, env=env)
    assert text.returncode == 0, text.stderr
    assert "regels 2 en 4" in text.stdout and "Windows-1252" in text.stdout
    result = followup("import", str(path), "--json", cwd=tmp_path, env=env)
    summary = json.loads(result.stdout)
    assert (summary["imported"], summary["encoding"], summary["windows_1252_lines"]) == (
        3,
        "mixed",
        [2, 4],
    )


def test_import_twice_changes_nothing(db_url, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(str(n)) for n in range(3)])
    env = clean_env(db_url)
    followup("import", str(path), cwd=tmp_path, env=env)
    second = json.loads(followup("import", str(path), "--json", cwd=tmp_path, env=env).stdout)
    assert (second["imported"], second["updated"], second["unchanged"]) == (0, 0, 3)


def test_dry_run_imports_nothing(db_url, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row("1")])
    env = clean_env(db_url)
    dry = followup("import", str(path), "--dry-run", "--json", cwd=tmp_path, env=env)
    assert json.loads(dry.stdout)["imported"] == 1
    real = followup("import", str(path), "--json", cwd=tmp_path, env=env)
    assert json.loads(real.stdout)["imported"] == 1  # the dry run left nothing behind


@pytest.mark.parametrize(
    "content, words",
    [
        (b"naam;wijk\nAnna;Selwerd\n", ["verplichte kolom", "client_ref"]),
        (b"PK\x03\x04\x14\x00\x06\x00", ["Excel"]),
        (
            b"client_ref,name,wijk,conversation_date\n1,\x81\x8d,Selwerd,2026-01-01\n",
            ["niet te lezen"],
        ),
        (
            b"client_ref,name,wijk,conversation_date\n1,Anna,Selwerd,2026-01-01\n"
            + b'2,"'
            + b"x" * 140_000
            + b'",Selwerd,2026-01-01\n',
            ["'name'", "regel 3", "te lang"],
        ),
    ],
    ids=["missing-header", "not-csv", "undecodable", "field-too-long"],
)
def test_unusable_file_exits_2_and_imports_nothing(db_url, tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    env = clean_env(db_url)
    result = followup("import", str(path), "--json", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert all(word in result.stderr for word in words), result.stderr
    good = write_csv(tmp_path / "good.csv", [row("1")])
    assert (
        json.loads(followup("import", str(good), "--json", cwd=tmp_path, env=env).stdout)[
            "imported"
        ]
        == 1
    )


def test_missing_file_exits_2(db_url, tmp_path):
    result = followup("import", "nergens.csv", cwd=tmp_path, env=clean_env(db_url))
    assert result.returncode == 2
    assert "niet gevonden" in result.stderr


def test_demo_data_file_imports_cleanly(db_url, tmp_path):
    env = clean_env(db_url)
    made = followup("demo-data", "--clients", "400", "--output", "demo.csv", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    result = followup("import", "demo.csv", "--json", cwd=tmp_path, env=env)
    summary = json.loads(result.stdout)
    assert (result.returncode, summary["imported"], summary["rejected"]) == (0, 400, 0)
    assert summary["encoding"] == "cp1252" and summary["delimiter"] == ";"
    assert summary["invalid_phone"] > 0  # the demo carries malformed numbers on purpose


def test_user_add_reads_the_password_from_stdin(db_url, tmp_path):
    env = clean_env(db_url)
    created = followup(
        "user",
        "add",
        "Coord@Example.nl",
        "--role",
        "coordinator",
        cwd=tmp_path,
        env=env,
        stdin="een lang wachtwoord\n",
    )
    assert created.returncode == 0, created.stderr
    assert "coord@example.nl" in created.stdout
    assert "een lang wachtwoord" not in created.stdout + created.stderr
    again = followup(
        "user",
        "add",
        "coord@example.nl",
        "--role",
        "agent",
        cwd=tmp_path,
        env=env,
        stdin="nog een lang wachtwoord\n",
    )
    assert again.returncode == 2
    assert "al een gebruiker" in again.stderr


@pytest.mark.parametrize(
    "args, password, words",
    [
        (["kort@example.nl", "--role", "agent"], "kort\n", ["minstens 12"]),
        (["geen-adres", "--role", "agent"], "een lang wachtwoord\n", ["geen geldig e-mailadres"]),
        (["a@example.nl", "--role", "baas"], "een lang wachtwoord\n", ["--role"]),
        (
            ["a@example.nl", "--role", "agent", "--phone", "06-123"],
            "een lang wachtwoord\n",
            ["geen telefoonnummer dat gebeld kan worden"],
        ),
    ],
    ids=["short-password", "bad-email", "bad-role", "bad-phone"],
)
def test_user_add_refuses_bad_input(db_url, tmp_path, args, password, words):
    result = followup("user", "add", *args, cwd=tmp_path, env=clean_env(db_url), stdin=password)
    assert result.returncode == 2
    assert all(word in result.stderr for word in words), result.stderr
