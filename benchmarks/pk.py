"""Benchmark the pharmacology engine against a plain numpy recursion and the memory-write floor.

Workload: a population of N subjects (default 100,000; seeded BSV) taking 4.5 mg at 22:00 for
14 days, evaluated hourly (337 output times) for plasma naltrexone, 6β-naltrexol, the
effect site and μ occupancy: four float64 arrays of N x 337 values.

* ours: :func:`lowdose.pk.population.iter_population_grid` (closed form, chunks of 4096), the
  compiled kernel :mod:`lowdose.pk._kernel` (numba), timed twice: as it runs by default (fresh
  arrays for every chunk) and with ``reuse_buffers=True`` (one set of arrays overwritten chunk
  after chunk). The JSON names the engine, its numba version and each mode.
* peer (the strongest fair one): a plain vectorised numpy recursion over the whole population
  at once, the four compartments stepped by their exact transition matrix ``expm(A dt)``
  (computed once per distinct step, batched over subjects), the same model and parameters;
  checked equal to ours to 1e-9 relative before any time is reported.
* floor: writing the same four output arrays in the same chunks (``ndarray.fill`` of a
  preallocated buffer; a second line allocates each chunk with ``np.empty`` first, as an
  engine that yields fresh arrays must). No engine that writes its output can beat it.
* secondary: ``scipy.integrate.solve_ivp`` (LSODA, rtol 1e-8, atol 1e-10) per subject, dose by
  dose, on a subset (``--ivp-subjects``), extrapolated to N: an accuracy check, not a peer.

Times are the median of ``--repeat`` rounds, each round running every contender once in turn
(the machine may be shared: the load average before and after is reported). The kernel's
first-call compile time is measured in a fresh process with an empty numba cache, and the
load from the cache in a second one.
Usage: ``python benchmarks/pk.py [--json] [--subjects N] [--ivp-subjects K] [--repeat R]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numba
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


Grid = Iterator[tuple[slice, np.ndarray, np.ndarray]]


def ours(
    pop: ParameterArrays,
    doses: np.ndarray,
    amounts: np.ndarray,
    times: np.ndarray,
    *,
    reuse_buffers: bool = False,
) -> Grid:
    return iter_population_grid(
        pop, doses, amounts, times, chunk_size=CHUNK, reuse_buffers=reuse_buffers
    )


def expm_batched(a: np.ndarray) -> np.ndarray:
    """``expm`` of each matrix of a stack (m, 4, 4): scaling and squaring of an 18-term Taylor
    series, batched (scipy's ``expm`` handles a stack of triangular matrices one by one)."""
    norm = float(np.abs(a).sum(axis=1).max())
    s = max(0, int(np.ceil(np.log2(norm))) + 1) if norm > 0 else 0
    x = a / 2.0**s
    term = np.broadcast_to(np.eye(a.shape[1]), a.shape).copy()
    out = term.copy()
    for k in range(1, 19):  # |x| <= 1/2: the remainder is below 0.5**19/19! ~ 1e-23
        term = term @ x / k
        out += term
    for _ in range(s):
        out = out @ out
    return out


def recursion_peer(
    pop: ParameterArrays, doses: np.ndarray, amounts: np.ndarray, times: np.ndarray
) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """The plain vectorised recursion: the compartments' ODE stepped by its exact transition.

    State y = (gut, naltrexone, 6β-naltrexol, slow pool), shape (4, m) for m subjects; over a
    step dt it is y <- Φ(dt) y with Φ = expm(A dt) (scipy, batched over subjects, cached per
    dt), then a dose adds to the gut. Independent of the engine's exponential form.
    """
    order = np.argsort(np.concatenate([doses, times]), kind="stable")
    events = np.concatenate([doses, times])[order]
    is_dose = order < doses.size
    index = np.where(is_dose, order, order - doses.size)
    for lo in range(0, pop.n, CHUNK):
        sl = slice(lo, min(pop.n, lo + CHUNK))
        p = pop.take(sl)
        m = p.n
        a = np.zeros((m, 4, 4))
        a[:, 0, 0], a[:, 1, 0], a[:, 1, 1] = -p.ka, p.a_parent * p.ka, -p.k_parent
        a[:, 2, 0], a[:, 2, 1], a[:, 2, 2] = p.a_naltrexol * p.ka, p.gamma(), -p.k_naltrexol
        a[:, 3, 1] = p.k_slow * p.slow_gain
        a[:, 3, 2] = p.k_slow * p.slow_gain * p.naltrexol_weight
        a[:, 3, 3] = -p.k_slow
        phis: dict[float, np.ndarray] = {}
        y, nxt = np.zeros((4, m)), np.empty((4, m))
        conc, mu = np.empty((3, times.size, m)), np.empty((times.size, m))
        w, ec50 = p.naltrexol_weight, p.ec50_mu
        now = float(events[0]) if events.size else 0.0
        for t, dose, k in zip(events.tolist(), is_dose.tolist(), index.tolist(), strict=True):
            if t != now:
                phi = phis.get(t - now)
                if phi is None:
                    phi = phis[t - now] = np.ascontiguousarray(
                        expm_batched(a * (t - now)).transpose(1, 2, 0)
                    )
                for i in range(3, -1, -1):  # lower triangular: row i reads rows <= i
                    np.multiply(phi[i, 0], y[0], out=nxt[i])
                    for j in range(1, i + 1):
                        nxt[i] += phi[i, j] * y[j]
                y, nxt, now = nxt, y, t
            if dose:
                y[0] += amounts[k]
            else:
                conc[0, k], conc[1, k] = y[1], y[2]
                np.add(y[1], w * y[2], out=conc[2, k])
                conc[2, k] += y[3]
                np.divide(conc[2, k], conc[2, k] + ec50, out=mu[k])
        yield sl, conc.transpose(0, 2, 1), mu.T


def _timed(grid: Callable[[], Grid]) -> tuple[float, float]:
    """Seconds to run a grid to the end, and a checksum that reads every chunk."""
    start = time.perf_counter()
    checksum = 0.0
    for _, conc, mu in grid():
        checksum += float(conc[1, :, -1].sum() + mu[:, -1].sum())
    return time.perf_counter() - start, checksum


def floor(n: int, n_t: int, *, allocate: bool) -> float:
    """Seconds to write 4 x n x n_t float64 values (the output's size) in chunks of CHUNK."""
    buf = np.empty(4 * n_t * CHUNK)
    buf.fill(0.0)  # touch every page once, outside the timing
    start = time.perf_counter()
    for lo in range(0, n, CHUNK):
        size = 4 * n_t * (min(n, lo + CHUNK) - lo)
        out = np.empty(size) if allocate else buf[:size]
        out.fill(0.5)
    return time.perf_counter() - start


def max_rel_diff(
    pop: ParameterArrays, doses: np.ndarray, amounts: np.ndarray, times: np.ndarray
) -> float:
    """Largest difference between ours and the recursion, relative to each series' maximum."""
    worst = 0.0
    for (_, c1, m1), (_, c2, m2) in zip(
        ours(pop, doses, amounts, times), recursion_peer(pop, doses, amounts, times), strict=True
    ):
        for a, b in ((c1, c2), (m1[None], m2[None])):
            scale = np.abs(b).max(axis=2, keepdims=True)
            worst = max(worst, float(np.max(np.abs(a - b) / np.where(scale > 0, scale, 1.0))))
    return worst


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


def _medians(contenders: dict[str, Callable[[], float]], repeat: int) -> dict[str, float]:
    """Median seconds of each contender over ``repeat`` rounds, each round running all in turn."""
    runs: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            runs[name].append(fn())
    return {name: statistics.median(values) for name, values in runs.items()}


_COMPILE_PROBE = """
import time
import numpy as np
from lowdose.pk.population import iter_population_grid, sample_parameters
pop = sample_parameters(8, seed=1)
start = time.perf_counter()
next(iter_population_grid(pop, np.array([0.0, 24.0]), np.array([4.5, 4.5]), np.arange(48.0)))
print(time.perf_counter() - start)
"""


def jit_first_call() -> dict[str, float]:
    """Seconds of the first call in a new process: with an empty numba cache, then cached."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}

        def probe() -> float:
            out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
                [sys.executable, "-c", _COMPILE_PROBE], env=env, check=True, capture_output=True
            )
            return float(out.stdout.decode().split()[-1])

        return {"jit_compile_first_call_s": probe(), "jit_cached_first_call_s": probe()}


def _ivp(
    pop: ParameterArrays, k: int, doses: np.ndarray, amounts: np.ndarray, times: np.ndarray
) -> tuple[float, float]:
    """Seconds per subject of solve_ivp on the first k subjects, and its largest difference."""
    sub = pop.take(slice(0, k))
    start = time.perf_counter()
    ivp = [_ivp_subject(sub, i, doses, float(amounts[0]), times) for i in range(k)]
    per_subject = (time.perf_counter() - start) / k
    _, conc, _ = next(iter_population_grid(sub, doses, amounts, times, chunk_size=k))
    ref = np.stack(ivp, axis=1)
    mask = ref > 1e-6 * ref.max(axis=2, keepdims=True)
    return per_subject, float(np.max(np.abs(conc[mask] - ref[mask]) / ref[mask]))


def run(subjects: int, ivp_subjects: int, repeat: int) -> dict[str, object]:
    reg = Regimen(Decimal("4.5"), days=14)
    doses = reg.dose_times_h()
    amounts = np.full(doses.size, 4.5)
    times = np.arange(0.0, 14 * 24 + 1.0)  # hourly from midnight of day 0: 337 points
    pop = sample_parameters(subjects, seed=2026)
    diff = max_rel_diff(pop.take(slice(0, min(subjects, 2 * CHUNK))), doses, amounts, times)
    if not diff <= 1e-9:
        raise SystemExit(f"ours and the numpy recursion differ by {diff:g} > 1e-9 relative")
    load_before = os.getloadavg()
    t = _medians(
        {
            "ours": lambda: _timed(lambda: ours(pop, doses, amounts, times))[0],
            "ours_reuse": lambda: _timed(
                lambda: ours(pop, doses, amounts, times, reuse_buffers=True)
            )[0],
            "recursion": lambda: _timed(lambda: recursion_peer(pop, doses, amounts, times))[0],
            "floor": lambda: floor(subjects, times.size, allocate=False),
            "floor_alloc": lambda: floor(subjects, times.size, allocate=True),
        },
        repeat,
    )
    result: dict[str, object] = {
        "benchmark": "pk population: 4.5 mg daily, 14 days hourly (337 times)",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **_machine(),
        "load_average_1_5_15_min_before": [round(x, 2) for x in load_before],
        "load_average_1_5_15_min_after": [round(x, 2) for x in os.getloadavg()],
        "timing": f"median of {repeat} rounds, each running every contender once",
        "engine": f"lowdose.pk._kernel (numba {numba.__version__}, compiled)",
        "subjects": subjects,
        "output_values": 4 * subjects * times.size,
        "ours_s": t["ours"],
        "ours_mode": "default: fresh arrays for every chunk",
        "ours_reuse_buffers_s": t["ours_reuse"],
        "ours_reuse_buffers_mode": "reuse_buffers=True: one set of arrays, overwritten per chunk",
        "numpy_recursion_s": t["recursion"],
        "memory_write_floor_s": t["floor"],
        "memory_write_floor_with_allocation_s": t["floor_alloc"],
        "ratio_ours_to_numpy_recursion": t["ours"] / t["recursion"],
        "ratio_ours_to_memory_write_floor": t["ours"] / t["floor"],
        "ratio_ours_to_memory_write_floor_with_allocation": t["ours"] / t["floor_alloc"],
        "ratio_ours_reuse_buffers_to_numpy_recursion": t["ours_reuse"] / t["recursion"],
        "ratio_ours_reuse_buffers_to_memory_write_floor": t["ours_reuse"] / t["floor"],
        "ratio_ours_reuse_buffers_to_memory_write_floor_with_allocation": t["ours_reuse"]
        / t["floor_alloc"],
        "max_rel_diff_vs_numpy_recursion": diff,
        "compared": f"first {min(subjects, 2 * CHUNK)} subjects, every value, "
        "relative to the series' maximum",
        **jit_first_call(),
    }
    if ivp_subjects > 0:
        per_subject, ivp_diff = _ivp(pop, ivp_subjects, doses, amounts, times)
        result |= {
            "solve_ivp_subjects_timed": ivp_subjects,
            "solve_ivp_per_subject_s": per_subject,
            "solve_ivp_extrapolated_s": per_subject * subjects,
            "solve_ivp_extrapolated": True,
            "speedup_vs_solve_ivp": per_subject * subjects / t["ours"],
            "max_rel_diff_vs_solve_ivp_subset": ivp_diff,
        }
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--subjects", type=int, default=100_000)
    ap.add_argument("--ivp-subjects", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    result = run(args.subjects, args.ivp_subjects, args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:50} {v}")


if __name__ == "__main__":
    main()
