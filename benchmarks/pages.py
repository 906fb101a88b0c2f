"""Benchmark: server time of every page of the README walk, on the demo clinic.

Sets up a throwaway SQLite database in a temporary directory (``LOWDOSE_VAR_DIR``), migrates it,
creates the cache table, collects the static files (as ``make run``), loads the demo
(``load_demo`` and the no-check-in sweep, as ``make demo`` does), then requests each page of the
README's "Demo logins" walk through Django's test ``Client`` (the whole middleware stack,
templates and database; no network, no browser) signed in as the demo login that visits it
(``force_login``: the demo accounts skip two-factor).

Each page is requested once cold (the first request after the demo was loaded: empty caches) and
then ``--repeat`` times after one warm-up; the median and 95th percentile of those are reported.

Not a page: the design assistant's simulation for the demo trial is also timed afresh (its
stored figures deleted), as the background job runs it (``design_simulation``).

Chart images are rendered by the background worker: a chart request that answers 202 ("being
prepared") has its time recorded, then the walk plays the worker — it runs the queued jobs in
this process, outside the timing — so the next request is served from the cache, as it would be
once a real worker has run.

* peer: ``/health`` (one ``SELECT 1`` through the same middleware stack: the cheapest fair page),
  measured in the same run, interleaved with the pages; every page is also given as a ratio to
  the peer's median.

The budget is 300 ms of server time per page (issue 12): the benchmark exits with status 1 when
any page's median is over it, and says which. Run::

    python benchmarks/pages.py            # a table
    python benchmarks/pages.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from _machine import cpu

REPO = Path(__file__).resolve().parent.parent
BUDGET_MS = 300.0


def _django(var_dir: Path) -> None:
    """Point the settings at ``var_dir`` (SQLite file, secret key) and start Django."""
    os.environ["LOWDOSE_VAR_DIR"] = str(var_dir)
    os.environ["LOWDOSE_HTTPS"] = "0"
    os.environ["LOWDOSE_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("LOWDOSE_CACHE", "database")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(REPO / "web"))
    import django

    django.setup()


def _load_demo() -> float:
    from django.core.management import call_command
    from django.utils import timezone

    from apps.checkins.followup import sweep_silence
    from apps.demo.clinic import load_demo

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # as `make run`: hashed names
    load_demo()
    sweep_silence(timezone.now())
    return time.perf_counter() - t0


@dataclass
class Page:
    """One request of the walk: who asks, what, and the status the walk expects."""

    name: str
    login: str | None
    path: str
    method: str = "GET"
    data: Callable[[], dict[str, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    #: Prepared by the background worker: may answer 202 ("being prepared") until it has been.
    worker: bool = False


def _walk() -> list[Page]:
    """The pages of the README walk, with the demo's ids looked up."""
    from apps.accounts.models import Patient
    from apps.clinical.models import Assignment, Prescription
    from apps.nof1.models import Nof1Trial

    alex = Patient.objects.get(user__username="patient")
    sam = Patient.objects.get(user__username="patient2")
    a, s = alex.pk, sam.pk
    rx = Prescription.objects.filter(patient=alex).order_by("-pk").first()
    trial = Nof1Trial.objects.filter(patient=alex).order_by("-pk").first()
    phq = Assignment.objects.filter(patient=alex).order_by("pk").first()
    if rx is None or trial is None or phq is None:
        raise SystemExit("The demo has no prescription, N-of-1 trial or PHQ-9 for Alex Morgan.")
    rx_path = f"/patients/{a}/prescriptions/{rx.pk}/"

    def checkin() -> dict[str, str]:
        return {
            "client_id": str(uuid.uuid4()),
            "pain": "3",
            "fatigue": "4",
            "sleep": "7",
            "mood": "8",
            "dose_status": "taken",
            "dose_mg": "4.5",
            "dose_time_choice": "now",
            "dose_time": "",
            "se_vivid_dreams": "none",
            "se_nausea": "none",
            "note": "",
        }

    hx = {"HX-Request": "true"}
    return [
        # patient
        Page("patient: dashboard", "patient", f"/patients/{a}/"),
        Page("patient: check-in form", "patient", f"/patients/{a}/checkin/"),
        Page("patient: My treatment", "patient", f"/patients/{a}/treatment/"),
        Page("patient: calendar download", "patient", rx_path + "plan.ics"),
        Page("patient: what it costs", "patient", rx_path + "cost/"),
        Page("patient: wallet card", "patient", f"/patients/{a}/wallet-card/"),
        Page("patient: questionnaires", "patient", f"/patients/{a}/assessments/"),
        Page("patient: PHQ-9 form", "patient", f"/patients/{a}/assessments/{phq.pk}/"),
        Page("patient: My trial", "patient", f"/patients/{a}/nof1/"),
        Page("patient: trial page", "patient", f"/nof1/{trial.pk}/"),
        Page("patient: chart.svg", "patient", f"/patients/{a}/chart.svg", worker=True),
        Page("patient: chart.png", "patient", f"/patients/{a}/chart.png", worker=True),
        Page("patient2: dashboard", "patient2", f"/patients/{s}/"),
        # clinician
        Page("clinician: panel", "clinician", "/panel/"),
        Page("clinician: panel, search", "clinician", "/panel/?q=okafor"),
        Page("clinician: panel, sort by last check-in", "clinician", "/panel/?sort=last"),
        Page("clinician: panel, sort by change", "clinician", "/panel/?sort=change"),
        Page("clinician: panel, sort by alerts", "clinician", "/panel/?sort=alerts"),
        Page("clinician: panel, on LDN", "clinician", "/panel/?state=on_ldn"),
        Page("clinician: panel, in N-of-1", "clinician", "/panel/?state=nof1"),
        Page("clinician: panel, open alerts", "clinician", "/panel/?alerts=open"),
        Page("clinician: alerts", "clinician", "/alerts/"),
        Page("clinician: patient page (Sam)", "clinician", f"/patients/{s}/"),
        Page("clinician: patient page (Alex)", "clinician", f"/patients/{a}/"),
        Page("clinician: screening (Sam)", "clinician", f"/patients/{s}/screening/"),
        Page("clinician: prescription (Alex)", "clinician", rx_path),
        Page(
            "clinician: new prescription (Alex)", "clinician", f"/patients/{a}/prescriptions/new/"
        ),
        Page("clinician: invite a patient", "clinician", "/invite/new/"),
        Page("clinician: N-of-1 trials (Alex)", "clinician", f"/patients/{a}/nof1/"),
        Page("clinician: N-of-1 trial page", "clinician", f"/nof1/{trial.pk}/"),
        Page(
            "clinician: design assistant (htmx)",
            "clinician",
            f"/nof1/{trial.pk}/assistant/",
            headers=hx,
        ),
        Page("clinician: new N-of-1 trial form", "clinician", f"/patients/{a}/nof1/new/"),
        Page("clinician: evidence", "clinician", "/evidence/clinician/"),
        Page("clinician: add a trial form", "clinician", "/evidence/trials/new/"),
        Page("clinician: chart.svg (Alex)", "clinician", f"/patients/{a}/chart.svg", worker=True),
        Page("clinician: chart.png (Alex)", "clinician", f"/patients/{a}/chart.png", worker=True),
        # pharmacist
        Page("pharmacist: queue", "pharmacist", "/pharmacy/"),
        Page("pharmacist: worksheet", "pharmacist", rx_path + "worksheet/"),
        Page("pharmacist: N-of-1 kits list", "pharmacist", "/pharmacy/nof1/"),
        Page("pharmacist: kits of the trial", "pharmacist", f"/nof1/{trial.pk}/kits/"),
        # admin
        Page("admin: audit log", "admin", "/audit/"),
        Page("admin: evidence", "admin", "/evidence/clinician/"),
        Page("admin: pooled N-of-1", "admin", "/research/nof1/"),
        # visitor and everyone
        Page("visitor: evidence", None, "/evidence/"),
        Page("visitor: how LDN works", None, "/how-ldn-works/"),
        Page("visitor: how LDN works, 1.5 mg", None, "/how-ldn-works/?dose=1.5"),
        Page("visitor: login page", None, "/accounts/login/"),
        # the check-in itself last: it adds a check-in (a new one each time)
        Page(
            "patient: check-in POST",
            "patient",
            f"/patients/{a}/checkin/",
            "POST",
            checkin,
            status=302,
        ),
    ]


def _clients() -> dict[str | None, Any]:
    from django.test import Client

    from apps.accounts.models import User

    clients: dict[str | None, Any] = {None: Client()}
    for username in ("patient", "patient2", "clinician", "pharmacist", "admin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    return clients


def _once(client: Any, page: Page) -> float:
    t0 = time.perf_counter()
    if page.method == "POST":
        assert page.data is not None
        response = client.post(page.path, page.data(), headers=page.headers)
    else:
        response = client.get(page.path, headers=page.headers)
    seconds = time.perf_counter() - t0
    if page.worker and response.status_code == 202:
        _run_queued_jobs()  # the worker's turn, outside the timing
        return seconds
    if response.status_code != page.status:
        raise SystemExit(
            f"{page.name}: {page.method} {page.path} answered {response.status_code}, "
            f"expected {page.status}"
        )
    return seconds


def _run_queued_jobs() -> None:
    """Play the background worker, outside the timing: run every queued job in this process."""
    from django.utils.module_loading import import_string
    from django_q.models import OrmQ

    for queued in OrmQ.objects.all():
        task = queued.task
        import_string(task["func"])(*task["args"], **task["kwargs"])
        queued.delete()


def _stats(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000.0
    return {"median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95))}


def design_simulation(repeat: int = 3) -> dict[str, Any]:
    """The design assistant's simulation for the demo trial, run afresh (its stored figures
    deleted first): the time the background job spends on it, outside every request."""
    from apps.nof1 import assistant
    from apps.nof1.models import DesignSimulation, Nof1Trial
    from lowdose.outcomes.assumptions import DESIGN_REPS

    trial = Nof1Trial.objects.filter(patient__user__username="patient").order_by("-pk").first()
    if trial is None:
        raise SystemExit("The demo has no N-of-1 trial for Alex Morgan.")
    times = []
    for _ in range(repeat):
        DesignSimulation.objects.filter(key=assistant._key(trial)).delete()
        t0 = time.perf_counter()
        assistant.compute_figures(trial)
        times.append(time.perf_counter() - t0)
    return {
        "design": f"{trial.arms} x {trial.cycles} cycles x {trial.period_days} days",
        "reps": DESIGN_REPS,
        "repeat": repeat,
        **_stats(times),
    }


def measure(repeat: int) -> dict[str, Any]:
    clients = _clients()
    peer = Page("peer: /health", None, "/health")
    peer_times: list[float] = []
    peer_cold = _once(clients[None], peer)
    pages = _walk()
    rows: list[dict[str, Any]] = []
    for page in pages:
        client = clients[page.login]
        cold = _once(client, page)
        _once(client, page)  # warm-up
        times = []
        for _ in range(repeat):
            times.append(_once(client, page))
            peer_times.append(_once(clients[None], peer))  # interleaved: same load, same moment
        rows.append(
            {
                "page": page.name,
                "method": page.method,
                "path": page.path,
                "cold_ms": cold * 1000.0,
                **_stats(times),
            }
        )
    peer_stats = _stats(peer_times)
    for row in rows:
        row["ratio_to_peer"] = row["median_ms"] / peer_stats["median_ms"]
        row["over_budget"] = row["median_ms"] > BUDGET_MS
    return {
        "peer": {"page": peer.name, "cold_ms": peer_cold * 1000.0, **peer_stats},
        "pages": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lowdose-pages-") as tmp:
        _django(Path(tmp))
        setup_seconds = _load_demo()
        results = measure(args.repeat)
        results["design_simulation"] = design_simulation()
        from django.db import connections

        connections.close_all()
    over = [r["page"] for r in results["pages"] if r["over_budget"]]
    out: dict[str, Any] = {
        "benchmark": "pages",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "nproc": os.cpu_count(),
            "arch": platform.machine(),
            "cpu": cpu(),
            "python": platform.python_version(),
        },
        "data": {
            "database": "SQLite (temporary file), database cache",
            "demo": "load_demo + sweep_silence, as `make demo`",
            "setup_seconds": setup_seconds,
            "repeat": args.repeat,
            "budget_ms": BUDGET_MS,
        },
        **results,
        "over_budget": over,
    }
    if args.json:
        print(json.dumps(out, indent=2, sort_keys=True))
    else:
        peer = results["peer"]
        width = max(len(r["page"]) for r in results["pages"])
        print(f"{'page':<{width}}  {'median':>8}  {'p95':>8}  {'cold':>8}  {'× peer':>7}")
        for r in results["pages"]:
            flag = "  OVER" if r["over_budget"] else ""
            print(
                f"{r['page']:<{width}}  {r['median_ms']:6.1f}ms  {r['p95_ms']:6.1f}ms  "
                f"{r['cold_ms']:6.1f}ms  {r['ratio_to_peer']:6.1f}×{flag}"
            )
        print(
            f"{peer['page']:<{width}}  {peer['median_ms']:6.1f}ms  {peer['p95_ms']:6.1f}ms  "
            f"{peer['cold_ms']:6.1f}ms  (peer)"
        )
        sim = results["design_simulation"]
        print(
            f"Not a page: the design assistant's simulation ({sim['design']}, {sim['reps']} "
            f"trials), run by the background job: median {sim['median_ms']:.0f} ms."
        )
    if over:
        print(
            f"Over the {BUDGET_MS:.0f} ms budget (median): {', '.join(over)}",
            file=sys.stderr,
        )
        return 1
    print(f"Every page's median is within {BUDGET_MS:.0f} ms.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
