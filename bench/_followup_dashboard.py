"""Direct timing of the programme dashboard on SQLite: 50 municipalities × 20 measures × 24
measurements. ``python -m bench._followup_dashboard [-n 40]`` prints p50/p95/max in ms.

Not a load benchmark (the module name starts with ``_`` so ``python -m bench`` skips it): the
requirement is a single admin's page latency, measured in-process through the test client.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_P95_MS = 300.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--requests", type=int, default=40)
    parser.add_argument("--municipalities", type=int, default=50)
    parser.add_argument("--measures", type=int, default=20)
    parser.add_argument("--measurements", type=int, default=24)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        os.environ["NETWORK_INSTANCE_DIR"] = tmp
        from flask_migrate import upgrade

        from network import create_app
        from network.accounts.services import create_user
        from network.extensions import db
        from network.followup.demo import seed_bench

        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            seed_bench(args.municipalities, args.measures, args.measurements)
            admin = create_user("bench.admin@example.se", None, "Bänk Admin", role="admin")
            db.session.commit()
            print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
            client = app.test_client()
            key = admin.get_id()  # opens a server-side session (network/accounts/sessions.py)
            db.session.commit()
            with client.session_transaction() as session:
                session["_user_id"] = key
                session["_fresh"] = True
            timings = []
            for _ in range(args.requests + 3):
                t0 = time.perf_counter()
                response = client.get("/uppfoljning/oversikt")
                timings.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    print(f"dashboard answered {response.status_code}", file=sys.stderr)
                    return 1
            timings = sorted(timings[3:])  # the first requests warm caches and templates
            p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
            print(f"dashboard {args.municipalities}×{args.measures}×{args.measurements}: "
                  f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms "
                  f"({len(timings)} requests); target p95 ≤ {TARGET_P95_MS:.0f} ms: "
                  f"{'met' if p95 <= TARGET_P95_MS else 'MISSED'}")
            for name in ("atgarder", "indikatorer"):
                t0 = time.perf_counter()
                client.get(f"/uppfoljning/oversikt/diagram/{name}.svg")
                first = (time.perf_counter() - t0) * 1000
                t0 = time.perf_counter()
                client.get(f"/uppfoljning/oversikt/diagram/{name}.svg")
                cached = (time.perf_counter() - t0) * 1000
                print(f"chart {name}: first {first:.0f} ms, cached {cached:.0f} ms")
            db.session.remove()
            db.engine.dispose()
    return 0 if p95 <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
