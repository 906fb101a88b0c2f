"""Profile one API check-in (``POST /api/v1/patients/<id>/checkins``, bearer token) of a patient
with 90 days of check-ins, on PostgreSQL: where the server's wall time goes.

Builds the same data as :mod:`benchmarks.web` (its helpers) in a throwaway database, then times
``--repeat`` check-ins through Django's test ``Client`` under :mod:`cProfile`, and separately
measures the time from taking the audit chain's advisory lock to the commit. Needs
``DATABASE_URL`` (run it under ``scripts/with-postgres.sh``).

Run::

    scripts/with-postgres.sh python benchmarks/profile_checkin.py --repeat 200
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _sibling() -> Any:
    """benchmarks/web.py, whose helpers build the data (loaded by path: ``web`` is also the
    Django project's directory)."""
    spec = importlib.util.spec_from_file_location("bench_web", Path(__file__).with_name("web.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _sibling()


def _lock_hold_ms(samples: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(samples) * 1000, 3),
        "p95": round(sorted(samples)[int(len(samples) * 0.95)] * 1000, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lowdose-prof-") as var_dir:
        bench._django(Path(var_dir))
        from django.db import connection
        from django.test import Client

        from apps.audit import chain

        db_name = bench._test_database()
        try:
            clinic, team, _ = bench._clinic()
            bench._grow(clinic, team, 100)
            patient = bench._diaries_and_alerts()[0]
            client = Client(headers={"Authorization": f"Bearer {bench._token(patient.user)}"})
            url = f"/api/v1/patients/{patient.pk}/checkins"
            for _ in range(5):  # warm: imports, token's last use, caches
                client.post(url, bench._checkin_body(), content_type="application/json")

            held: list[float] = []
            original = chain.append

            def timed_append(event: Any) -> None:
                t0 = time.perf_counter()
                original(event)
                connection.on_commit(lambda: held.append(time.perf_counter() - t0))

            walls: list[float] = []
            profiler = cProfile.Profile()
            chain.append = timed_append
            try:
                for _ in range(args.repeat):
                    body = bench._checkin_body()
                    t0 = time.perf_counter()
                    profiler.enable()
                    answer = client.post(url, body, content_type="application/json")
                    profiler.disable()
                    walls.append(time.perf_counter() - t0)
                    assert answer.status_code == 201, answer.content
            finally:
                chain.append = original
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
            stats.print_stats(args.top)
            stats.print_stats(r"(src/lowdose|web/apps|web/config)/", args.top)  # ours alone
            print(out.getvalue())
            print(
                f"check-ins: {args.repeat}; wall per check-in (under cProfile) median "
                f"{statistics.median(walls) * 1000:.2f} ms"
            )
            print(f"audit lock taken → commit: {_lock_hold_ms(held)} ms")
        finally:
            connection.creation.destroy_test_db(db_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
