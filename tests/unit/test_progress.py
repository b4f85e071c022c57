import io

import pytest

from followup.cli.progress import MIN_ROWS, Progress


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr does when a person watches."""

    def isatty(self) -> bool:
        return True


def test_enabled_progress_draws_a_bar_and_ends_with_a_newline():
    stream = io.StringIO()
    progress = Progress(200, "import", stream=stream, enabled=True, min_interval=0)
    progress.update(100)
    first = stream.getvalue()
    assert first.startswith("\rimport [")
    assert "#" * 15 + " " * 15 + "]" in first
    assert "50%" in first
    assert "(100/200)" in first
    assert "\n" not in first
    progress.finish()
    out = stream.getvalue()
    assert out.endswith("\n")
    assert out.count("\n") == 1
    last = out.rsplit("\r", 1)[1]
    assert "[" + "#" * 30 + "]" in last
    assert "100%" in last
    assert "(200/200)" in last


@pytest.mark.parametrize(
    ("done", "bar", "share"),
    [
        pytest.param(0, 0, "0%", id="none"),
        pytest.param(1, 0, "1%", id="one"),
        pytest.param(25, 7, "25%", id="quarter"),
        pytest.param(100, 30, "100%", id="all"),
        pytest.param(150, 30, "100%", id="more-than-total"),
    ],
)
def test_bar_width_and_share(done, bar, share):
    stream = io.StringIO()
    Progress(100, "rij", stream=stream, enabled=True, min_interval=0).update(done)
    out = stream.getvalue()
    assert f"[{'#' * bar}{' ' * (30 - bar)}]" in out
    assert f" {share:>4} " in out


def test_updates_closer_than_min_interval_are_skipped_until_the_end():
    stream = io.StringIO()
    progress = Progress(100, "import", stream=stream, enabled=True, min_interval=0)
    progress.update(10)
    assert stream.getvalue().count("\r") == 1
    progress.min_interval = 3600
    progress.update(20)
    progress.update(30)
    assert stream.getvalue().count("\r") == 1
    progress.update(100)
    assert stream.getvalue().count("\r") == 2


def test_zero_total_does_not_divide_by_zero():
    stream = io.StringIO()
    progress = Progress(0, "import", stream=stream, enabled=True, min_interval=0)
    progress.finish()
    assert "100%" in stream.getvalue()
    assert stream.getvalue().endswith("\n")


@pytest.mark.parametrize(
    ("stream_type", "total", "enabled", "draws"),
    [
        pytest.param(io.StringIO, MIN_ROWS * 2, None, False, id="auto-not-a-tty"),
        pytest.param(_Terminal, MIN_ROWS * 2, None, True, id="auto-tty-large"),
        pytest.param(_Terminal, MIN_ROWS - 1, None, False, id="auto-tty-small"),
        pytest.param(_Terminal, MIN_ROWS * 2, False, False, id="forced-off"),
        pytest.param(io.StringIO, 5, True, True, id="forced-on"),
    ],
)
def test_when_progress_is_drawn(stream_type, total, enabled, draws):
    stream = stream_type()
    progress = Progress(total, "import", stream=stream, enabled=enabled, min_interval=0)
    assert progress.enabled is draws
    progress.update(total // 2)
    progress.finish()
    assert (stream.getvalue() != "") is draws
    if draws:
        assert stream.getvalue().endswith("\n")
