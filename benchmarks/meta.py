"""Benchmark: 10,000 random-effects fits, lowdose.meta vs statsmodels (and PyMARE).

Each peer fits the same 10,000 seeded data sets (k = 10 studies each) one fit per call, and
the results are checked to be equal before any time is reported. Run::

    python benchmarks/meta.py --json

Ratios are peer time / our time (> 1 means lowdose is faster).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from datetime import UTC, datetime

import numpy as np

from lowdose.meta import MetaAnalysis

FITS = 10_000
K = 10
SEED = 20261124
REPEATS = 3


def make_data(n: int = FITS, k: int = K, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.01, 0.2, size=(n, k))
    y = 0.3 + rng.normal(0, 0.2, size=(n, k)) + rng.normal(0, np.sqrt(v))
    return y, v


def ours(y: np.ndarray, v: np.ndarray, method: str) -> tuple[float, np.ndarray]:
    out = np.empty((len(y), 3))
    t0 = time.perf_counter()
    for i in range(len(y)):
        r = MetaAnalysis(yi=y[i], vi=v[i], method=method, tau2_ci=False).fit()
        out[i] = (r.estimate, r.se, r.tau2)
    return time.perf_counter() - t0, out


def statsmodels_peer(y: np.ndarray, v: np.ndarray, method: str) -> tuple[float, np.ndarray]:
    from statsmodels.stats.meta_analysis import combine_effects

    out = np.empty((len(y), 3))
    t0 = time.perf_counter()
    for i in range(len(y)):
        with warnings.catch_warnings():  # statsmodels warns on its (unused) HKSJ sqrt
            warnings.simplefilter("ignore", RuntimeWarning)
            r = combine_effects(y[i], v[i], method_re=method.lower())
        out[i] = (r.mean_effect_re, r.sd_eff_w_re, r.tau2)
    return time.perf_counter() - t0, out


def pymare_peer(y: np.ndarray, v: np.ndarray) -> tuple[float, np.ndarray] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pymare import Dataset
            from pymare.estimators import DerSimonianLaird
    except ImportError:
        return None
    out = np.empty((len(y), 3))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(len(y)):
            est = DerSimonianLaird(small_sample_correction="wald")  # z test, as ours
            summary = est.fit_dataset(Dataset(y=y[i], v=v[i])).summary()
            stats = summary.get_fe_stats()
            out[i] = (stats["est"][0, 0], stats["se"][0, 0], np.ravel(summary.tau2)[0])
    return time.perf_counter() - t0, out


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    import os

    return {
        "nproc": os.cpu_count(),
        "machine": platform.machine(),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--fits", type=int, default=FITS)
    args = parser.parse_args()
    y, v = make_data(args.fits)
    report: dict[str, object] = {
        "fits": args.fits,
        "k": K,
        "seed": SEED,
        "timing": f"best of {REPEATS} runs for lowdose and statsmodels, one run for PyMARE",
        "machine": machine(),
    }
    rows = []
    for method in ("DL", "PM"):
        # best of REPEATS runs each (the machine is shared; the minimum is the least noisy)
        t_ours, r_ours = min((ours(y, v, method) for _ in range(REPEATS)), key=lambda t: t[0])
        t_sm, r_sm = min(
            (statsmodels_peer(y, v, method) for _ in range(REPEATS)), key=lambda t: t[0]
        )
        # equal results: DL is closed form; PM is iterated by both (statsmodels to its own tol)
        tol = 1e-10 if method == "DL" else 1e-6
        # statsmodels does not truncate the DL tau2 at zero: where it is negative its
        # estimate differs and its SE is NaN. Those fits are timed but excluded from the
        # equality check, and counted in the report.
        valid = r_sm[:, 2] >= 0
        if not np.isfinite(r_sm[valid]).all():
            raise SystemExit(f"{method}: statsmodels returned NaN with tau2 >= 0")
        diff = float(np.max(np.abs(r_ours[valid] - r_sm[valid])))
        if not diff <= tol:
            raise SystemExit(f"{method}: results differ from statsmodels by {diff:g} > {tol:g}")
        rows.append(
            {
                "method": method,
                "peer": "statsmodels combine_effects",
                "ours_s": t_ours,
                "peer_s": t_sm,
                "ratio_peer_over_ours": t_sm / t_ours,
                "max_abs_diff": diff,
                "compared": "estimate, se, tau2",
                "fits_compared": int(valid.sum()),
                "fits_peer_negative_tau2": int((~valid).sum()),
            }
        )
        if method == "DL":
            pm = pymare_peer(y, v)
            if pm is not None:
                t_pm, r_pm = pm
                diff = float(np.max(np.abs(r_ours - r_pm)))
                if not diff <= 1e-10:
                    raise SystemExit(f"DL: results differ from PyMARE by {diff:g}")
                rows.append(
                    {
                        "method": "DL",
                        "peer": "PyMARE DerSimonianLaird",
                        "ours_s": t_ours,
                        "peer_s": t_pm,
                        "ratio_peer_over_ours": t_pm / t_ours,
                        "max_abs_diff": diff,
                        "compared": "estimate, se, tau2",
                        "fits_compared": len(y),
                    }
                )
    report["results"] = rows
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for row in rows:
            print(
                f"{row['method']:>3} vs {row['peer']:<28} ours {row['ours_s']:.2f}s  "
                f"peer {row['peer_s']:.2f}s  ratio {row['ratio_peer_over_ours']:.2f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
