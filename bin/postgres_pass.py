"""Run the test suite a second time against PostgreSQL when it is reachable.

With CI=true an unreachable server is a failure; elsewhere the pass is skipped with the reason.
Usage: python bin/postgres_pass.py <command...>
"""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, text

URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://127.0.0.1:5432/test")


def reachable() -> str | None:
    engine = create_engine(URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        engine.dispose()


def main() -> int:
    problem = reachable()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            print(f"PostgreSQL pass FAILED: {URL} is not reachable ({problem}); CI=true needs it.")
            return 1
        print(f"PostgreSQL pass skipped: {URL} is not reachable ({problem}).")
        return 0
    print(f"PostgreSQL pass: running the suite against a fresh database on {URL}")
    env = dict(os.environ, NETWORK_TEST_DB="postgres")
    return subprocess.call(sys.argv[1:], env=env)


if __name__ == "__main__":
    sys.exit(main())
