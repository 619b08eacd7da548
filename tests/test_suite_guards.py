"""The suite's own guards fail a run that leaks (tests/leftovers.py, pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.leftovers import children

ROOT = Path(__file__).resolve().parents[1]


def _project_ini(pytester) -> None:
    """The inner run gets exactly the project's warning filters."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    filters = "\n    ".join(options["filterwarnings"])
    pytester.makeini(f"[pytest]\nfilterwarnings =\n    {filters}\n")


def test_a_socket_or_file_left_to_the_garbage_collector_fails_its_test(pytester):
    _project_ini(pytester)
    pytester.makepyfile(
        """
        import gc, socket

        def test_socket():
            s = socket.socket()
            del s
            gc.collect()

        def test_file():
            f = open(__file__)
            del f
            gc.collect()

        def test_closed():
            with socket.socket():
                pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*ResourceWarning*unclosed*"])


def test_a_process_left_running_fails_the_run(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(
        """
        import subprocess

        def test_starts_and_forgets():
            subprocess.Popen(["sleep", "30"])
        """
    )
    # A process of its own, so its children are its own and not this run's fixtures'.
    result = pytester.runpytest_subprocess("-p", "tests.leftovers", "-p", "no:cacheprovider",
                                           "-W", "ignore::ResourceWarning")
    result.stdout.fnmatch_lines(["*processes the tests started and did not stop*", "*sleep 30*"])
    assert result.ret == 1


def test_a_run_that_stops_what_it_starts_passes(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(
        """
        import subprocess

        def test_starts_and_stops():
            with subprocess.Popen(["sleep", "30"]) as process:
                process.terminate()
        """
    )
    result = pytester.runpytest_subprocess("-p", "tests.leftovers", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()


def test_children_lists_running_and_unwaited_processes():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        # Listed while it runs, and as a zombie once it has ended until it is waited for.
        assert process.pid in {pid for pid, _state, _cmd in children()}
    finally:
        process.wait()
    assert process.pid not in {pid for pid, _state, _cmd in children()}



def test_the_forkservers_own_processes_are_not_leftovers():
    """multiprocessing keeps its forkserver until the interpreter exits; extraction uses one."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    process = context.Process(target=print, args=("",))
    process.start()
    process.join()
    commands = [cmd for _pid, _state, cmd in children()]
    assert not any("multiprocessing" in cmd for cmd in commands), commands
