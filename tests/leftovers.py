"""The suite leaves nothing running: a check of the test process's children at the end of a run.

Sockets and files a test forgets are already errors: ``filterwarnings = ["error"]`` in
pyproject.toml turns the ``ResourceWarning`` their garbage collection raises into a
``PytestUnraisableExceptionWarning`` that fails the test (tests/test_suite_guards.py proves it).
A process a fixture forgets to stop raises nothing, so the end of the run looks for them: every
fixture has been torn down by ``pytest_sessionfinish``, so any child still there (running, or a
zombie nobody waited for) is a leak. Linux's /proc is read directly; elsewhere the check is off.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
# The standard library's own helpers, which it keeps until this interpreter exits (the upload
# text extraction starts its workers through a forkserver): not a test's leftovers.
STDLIB_HELPERS = ("from multiprocessing.forkserver import main",
                  "from multiprocessing.resource_tracker import main")


def children(pid: int | None = None) -> list[tuple[int, str, str]]:
    """(pid, state, command line) of each direct child of ``pid`` (this process by default)."""
    pid = os.getpid() if pid is None else pid
    found = []
    for entry in PROC.glob("[0-9]*") if PROC.is_dir() else ():
        try:
            stat = (entry / "stat").read_text()
            # "pid (comm) state ppid ...": comm may hold spaces and brackets, so split after ")".
            state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
            if int(ppid) != pid:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue  # ended while we looked
        if any(helper in cmdline for helper in STDLIB_HELPERS):
            continue
        found.append((int(entry.name), state, cmdline.strip() or stat.split(" ", 2)[1]))
    return sorted(found)


def report(found: list[tuple[int, str, str]]) -> str:
    lines = [f"  pid {pid} ({'zombie' if state == 'Z' else 'running'}): {cmd[:200]}"
             for pid, state, cmd in found]
    return "processes the tests started and did not stop:\n" + "\n".join(lines)


def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the run if a child process outlived every fixture (a plugin: tests/conftest.py)."""
    found = children()
    if not found:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(report(found), red=True)
    if session.exitstatus == 0:
        session.exitstatus = 1  # pytest.ExitCode.TESTS_FAILED
