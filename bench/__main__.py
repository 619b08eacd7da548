"""``python -m bench [name ...]``: run benchmarks against hello-world and print the comparison."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import tempfile
from pathlib import Path

from bench import harness, loadgen

# Modules of this package that are machinery, not benchmarks.
NOT_BENCHMARKS = {"harness", "hello", "loadgen", "chat_swarm", "profile_pages", "mixed"}


def discover() -> list[str]:
    package_dir = Path(__file__).resolve().parent
    return sorted(
        info.name for info in pkgutil.iter_modules([str(package_dir)])
        if not info.name.startswith("_") and info.name not in NOT_BENCHMARKS
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all): "
                        + ", ".join(discover()))
    parser.add_argument("-d", "--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of unmeasured load first")
    parser.add_argument("-c", "--connections", type=int, default=10)
    parser.add_argument("-w", "--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("-k", "--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator (auto: wrk when installed)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/*.json")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(discover())
    if unknown:
        parser.error("unknown benchmark(s): " + ", ".join(sorted(unknown))
                     + "; known: " + ", ".join(discover()))
    if not (0 < args.duration <= 600 and 0 <= args.warmup <= 60 and 1 <= args.connections <= 1000):
        parser.error("duration must be in (0, 600] s, warmup in [0, 60] s, connections in [1, 1000]")
    if args.tool == "wrk" and "wrk" not in loadgen.available_tools():
        parser.error("wrk is not installed")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = harness.Settings(
        duration=args.duration, warmup=args.warmup, connections=args.connections,
        workers=args.workers, worker_class=args.worker_class, threads=args.threads, tool=args.tool,
    )
    names = args.names or discover()
    print(f"{settings.load_tool()}: {settings.duration:g} s per measurement, {settings.connections} "
          f"connections; gunicorn {settings.workers} {settings.worker_class} workers", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-hello-") as log_dir:
        hello = harness.measure_hello(settings, Path(log_dir))
    print(f"hello-world: {hello.rps:.1f} req/s", flush=True)
    rows = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        result = harness.measure_benchmark(name, module, settings)
        rows.append((name, result, harness.compare(result, hello, harness.target_of(module))))
        print(f"{name}: {result.rps:.1f} req/s", flush=True)
    print()
    print(harness.format_table(hello, rows))
    if not args.no_save:
        print(f"\nresults: {harness.write_results(settings, hello, rows)}")
    missed = [name for name, _result, ratios in rows if not ratios["meets_targets"]]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
