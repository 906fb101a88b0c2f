"""Benchmark the pharmacology engine against per-subject ``solve_ivp`` and the ``exp`` floor.

Workload: a population of N subjects (default 100,000; seeded BSV) taking 4.5 mg at 22:00 for
14 days, evaluated hourly (337 output times) for plasma naltrexone, 6β-naltrexol, the
effect site and μ occupancy.

* ours: :func:`lowdose.pk.population.iter_population_grid` (closed form, chunks of 4096).
* peer: ``scipy.integrate.solve_ivp`` (LSODA, rtol 1e-8, atol 1e-10) per subject, dose by
  dose, on the same ODEs. It is run on a subset (``--ivp-subjects``, default 40) and its
  per-subject time is multiplied by N: the extrapolation is stated in the output.
* floor: one ``numpy.exp`` per output value (N x 337), in the same chunks, preallocated.

Usage: ``python benchmarks/pk.py [--json] [--subjects N] [--ivp-subjects K]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from lowdose.pk.kinetics import ParameterArrays
from lowdose.pk.population import iter_population_grid, sample_parameters
from lowdose.pk.regimen import Regimen

CHUNK = 4096


def _machine() -> dict[str, object]:
    cpu = "unknown"
    info = Path("/proc/cpuinfo")
    if info.exists():
        for line in info.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "machine": platform.machine(), "cpu": cpu}


def _ours(
    pop: ParameterArrays, doses: np.ndarray, amounts: np.ndarray, times: np.ndarray
) -> tuple[float, float]:
    start = time.perf_counter()
    checksum = 0.0
    for _, conc, mu in iter_population_grid(pop, doses, amounts, times, chunk_size=CHUNK):
        checksum += float(conc[1, :, -1].sum() + mu[:, -1].sum())
    return time.perf_counter() - start, checksum


def _floor(n: int, n_t: int) -> float:
    x = np.random.default_rng(0).uniform(-5, 0, (CHUNK, n_t))
    out = np.empty_like(x)
    start = time.perf_counter()
    done = 0
    while done < n:
        m = min(CHUNK, n - done)
        np.exp(x[:m], out=out[:m])
        done += m
    return time.perf_counter() - start


def _ivp_subject(
    p: ParameterArrays, i: int, doses: np.ndarray, amount: float, times: np.ndarray
) -> np.ndarray:
    ka, kp, km = p.ka[i], p.k_parent[i], p.k_naltrexol[i]
    ap, am, ks, g = p.a_parent[i], p.a_naltrexol[i], p.k_slow[i], p.slow_gain[i]
    w = p.naltrexol_weight[i]
    gamma = p.gamma()[i]

    def rhs(_t: float, y: np.ndarray) -> list[float]:
        gut, cp, cm, pool = y
        return [
            -ka * gut,
            ap * ka * gut - kp * cp,
            am * ka * gut + gamma * cp - km * cm,
            ks * (g * (cp + w * cm) - pool),
        ]

    y = np.zeros(4)
    out = np.zeros((3, times.size))
    bounds = [*doses.tolist(), float(times[-1]) + 1e-9]
    now = 0.0
    for j, end in enumerate(bounds):
        mask = (times >= now) & (times < end) if j < len(bounds) - 1 else (times >= now)
        if end > now:
            sol = solve_ivp(
                rhs,
                (now, end),
                y,
                method="LSODA",
                rtol=1e-8,
                atol=1e-10,
                t_eval=times[mask] if mask.any() else None,
            )
            if mask.any():
                out[0, mask], out[1, mask] = sol.y[1], sol.y[2]
                out[2, mask] = sol.y[1] + w * sol.y[2] + sol.y[3]
            y = (
                sol.y[:, -1].copy()
                if not mask.any() or sol.t[-1] == end
                else solve_ivp(rhs, (now, end), y, method="LSODA", rtol=1e-8, atol=1e-10)
                .y[:, -1]
                .copy()
            )
            now = end
        if j < len(doses):
            y[0] += amount
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--subjects", type=int, default=100_000)
    ap.add_argument("--ivp-subjects", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    reg = Regimen(Decimal("4.5"), days=14)
    doses = reg.dose_times_h()
    amounts = np.full(doses.size, 4.5)
    times = np.arange(0.0, 14 * 24 + 1.0)  # hourly from midnight of day 0: 337 points
    pop = sample_parameters(args.subjects, seed=2026)
    ours = min(_ours(pop, doses, amounts, times)[0] for _ in range(args.repeat))
    floor = min(_floor(args.subjects, times.size) for _ in range(args.repeat))
    sub = pop.take(slice(0, args.ivp_subjects))
    start = time.perf_counter()
    ivp = [_ivp_subject(sub, i, doses, 4.5, times) for i in range(args.ivp_subjects)]
    ivp_per_subject = (time.perf_counter() - start) / args.ivp_subjects
    ivp_total = ivp_per_subject * args.subjects
    # accuracy of ours against the ODE on the subset (where concentrations are not ~0)
    _, conc, _ = next(
        iter_population_grid(sub, doses, amounts, times, chunk_size=args.ivp_subjects)
    )
    ref = np.stack(ivp, axis=1)
    mask = ref > 1e-6 * ref.max(axis=2, keepdims=True)
    max_rel = float(np.max(np.abs(conc[mask] - ref[mask]) / ref[mask]))
    result = {
        "benchmark": "pk population: 4.5 mg daily, 14 days hourly (337 times)",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        **_machine(),
        "subjects": args.subjects,
        "output_values_per_channel": args.subjects * times.size,
        "ours_s": ours,
        "numpy_exp_floor_s": floor,
        "ratio_ours_to_numpy_exp": ours / floor,
        "solve_ivp_subjects_timed": args.ivp_subjects,
        "solve_ivp_per_subject_s": ivp_per_subject,
        "solve_ivp_extrapolated_s": ivp_total,
        "solve_ivp_extrapolated": True,
        "speedup_vs_solve_ivp": ivp_total / ours,
        "max_rel_diff_vs_solve_ivp_subset": max_rel,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:36} {v}")


if __name__ == "__main__":
    main()
