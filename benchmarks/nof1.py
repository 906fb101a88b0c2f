"""Benchmark: the deterministic N-of-1 posterior (lowdose.outcomes) vs PyMC's NUTS.

Both fit the *same* model to the *same* seeded diary: a 3-cycle placebo vs 4.5 mg trial
(28-day periods, run-in excluded), daily pain = intercept + cycle offsets (flat priors) +
effect (prior N(0, (2s)²)) + AR(1) errors observed on calendar days (exact gaps), with
s² ~ Inv-Gamma(1, 2.25) and the Jeffreys prior on ρ (ρ = sin θ, θ ~ U(-π/2, π/2)).

* ours: :class:`lowdose.outcomes.Nof1Analysis` (conjugate given ρ, ρ by 96-node quadrature);
  median of ``--repeat`` fits.
* peer: ``pymc.sample`` (NUTS, 4 chains x ``--draws`` (default 5000) after ``--tune``
  (default 1500), one core), timed with and without model compilation.

The posteriors are compared (mean, SD, 2.5 % and 97.5 % quantiles of the effect; ρ) and the
differences are reported beside PyMC's Monte-Carlo standard errors, so a difference can be
judged against sampling noise. Run::

    python benchmarks/nof1.py --json

``speedup`` = PyMC seconds / our seconds (> 1 means lowdose is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
import warnings
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from _machine import cpu

from lowdose.outcomes import Nof1Analysis, Nof1Design, Priors
from lowdose.outcomes.nof1 import design_matrix, trial_data
from lowdose.outcomes.simulate import simulate_diary

SEED = 20261124
TRUE_EFFECT = -1.0
SD = 1.5
RHO = 0.5


def _washout(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
    try:
        from lowdose.pk import washout_hours

        return float(washout_hours(dose_mg, receptor=receptor, threshold=threshold))
    except ImportError:  # pragma: no cover - pk is part of lowdose
        return 96.0


def make_trial() -> tuple[Any, Any]:
    plan = Nof1Design(
        ["placebo", "4.5"], start=date(2026, 3, 2), rng=random.Random(SEED), washout=_washout
    ).fit()
    diary = simulate_diary(plan, effect=TRUE_EFFECT, sd=SD, ar1=RHO, seed=SEED)
    return plan, diary


def ours(plan: Any, diary: Any, repeat: int) -> dict[str, Any]:
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = Nof1Analysis(diary, plan).fit()
        times.append(time.perf_counter() - t0)
    assert result is not None
    e = result.effects[0]
    return {
        "seconds": float(np.median(times)),
        "mean": e.mean,
        "sd": e.sd,
        "q025": e.ci_low,
        "q975": e.ci_high,
        "p_better": e.p_better,
        "p_mcid": e.p_mcid,
        "rho_mean": result.ar1_mean,
        "days_used": result.days_used,
    }


def pymc_peer(plan: Any, diary: Any, draws: int, tune: int, chains: int) -> dict[str, Any]:
    import importlib

    # arviz and pytensor are untyped: hold them as Any so strict callers stay clean
    az: Any = importlib.import_module("arviz")
    pm: Any = importlib.import_module("pymc")
    pt: Any = importlib.import_module("pytensor.tensor")

    days, values = diary.series("pain")
    data, keep = trial_data(plan, days)
    y = values[keep]
    priors = Priors()
    x, _lam, cols = design_matrix(data, ["4.5 mg"], trend=False, priors=priors)
    j = cols.index("4.5 mg")
    nuis = [i for i in range(x.shape[1]) if i != j]
    gaps = np.diff(data.days).astype(float)
    odd = (np.diff(data.days) % 2 == 1).astype(float)
    t0 = time.perf_counter()
    with pm.Model():
        s2 = pm.InverseGamma("s2", alpha=priors.a0, beta=priors.b0)
        s = pm.Deterministic("s", pt.sqrt(s2))
        theta = pm.Uniform("theta", -np.pi / 2, np.pi / 2)
        rho = pm.Deterministic("rho", pt.sin(theta))
        beta_n = pm.Flat("beta_nuisance", shape=len(nuis))
        effect = pm.Normal("effect", 0.0, priors.effect_sd * s)
        mu = pt.dot(x[:, nuis], beta_n) + x[:, j] * effect
        # ρ^g for integer gaps, negative ρ allowed: sign(ρ)^g |ρ|^g
        r = pt.switch(odd > 0, pt.sgn(rho), 1.0) * pt.abs(rho) ** gaps
        resid = y - mu
        cond_mu = mu[1:] + r * resid[:-1]
        cond_sd = s * pt.sqrt(1.0 - r**2)
        pm.Normal("y0", mu[0], s, observed=y[:1])
        pm.Normal("y_rest", cond_mu, cond_sd, observed=y[1:])
        t_sample0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idata = pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                cores=1,
                random_seed=SEED,
                progressbar=False,
                compute_convergence_checks=False,
            )
        t_sample1 = time.perf_counter()
    total = t_sample1 - t0
    post = idata.posterior
    eff = post["effect"].values.ravel()
    summ: Any = az.summary(idata, var_names=["effect", "rho"], stat_focus="mean")
    ess = az.ess(idata, var_names=["effect"])["effect"].item()
    ess_tail = az.ess(idata, var_names=["effect"], method="tail")["effect"].item()

    def mcse_q(prob: float) -> float:
        return float(az.mcse(idata, var_names=["effect"], method="quantile", prob=prob)["effect"])

    sd_draws = post["effect"].values.std(axis=1, ddof=1)  # per chain

    rhat = az.rhat(idata, var_names=["effect", "rho", "s2"])
    sampling_stats = idata.sample_stats
    return {
        "seconds_total": total,
        "seconds_sample_call": t_sample1 - t_sample0,
        "seconds_sampling_reported": float(idata.sample_stats.attrs.get("sampling_time", "nan")),
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "mean": float(eff.mean()),
        "sd": float(eff.std(ddof=1)),
        "q025": float(np.quantile(eff, 0.025)),
        "q975": float(np.quantile(eff, 0.975)),
        "p_better": float(np.mean(eff < 0)),
        "p_mcid": float(np.mean(eff <= -1.0)),
        "rho_mean": float(post["rho"].values.mean()),
        "mcse_mean": float(summ.loc["effect", "mcse_mean"]),
        "mcse_q025": mcse_q(0.025),
        "mcse_q975": mcse_q(0.975),
        "sd_between_chains": float(np.std(sd_draws, ddof=1)),
        "ess_bulk": float(ess),
        "ess_tail": float(ess_tail),
        "rhat_max": float(max(float(rhat[v].max()) for v in rhat.data_vars)),
        "divergences": int(sampling_stats["diverging"].values.sum()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--draws", type=int, default=5000)
    parser.add_argument("--tune", type=int, default=1500)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    plan, diary = make_trial()
    mine = ours(plan, diary, args.repeat)
    out: dict[str, Any] = {
        "benchmark": "nof1",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "nproc": os.cpu_count(),
            "arch": platform.machine(),
            "cpu": cpu(),
            "python": platform.python_version(),
        },
        "data": {
            "design": "placebo vs 4.5 mg, 3 cycles x 28 days, run-in excluded",
            "days_used": mine["days_used"],
            "true_effect": TRUE_EFFECT,
            "sd": SD,
            "ar1": RHO,
            "seed": SEED,
        },
        "ours": mine,
    }
    try:
        import pymc

        peer = pymc_peer(plan, diary, args.draws, args.tune, args.chains)
        peer["version"] = pymc.__version__
        out["pymc"] = peer
        out["speedup_total"] = peer["seconds_total"] / mine["seconds"]
        out["speedup_sampling_only"] = peer["seconds_sampling_reported"] / mine["seconds"]
        out["difference"] = {
            k: mine[k] - peer[k]
            for k in ("mean", "sd", "q025", "q975", "p_better", "p_mcid", "rho_mean")
        }
        out["difference_in_mcse"] = {
            "mean": (mine["mean"] - peer["mean"]) / peer["mcse_mean"],
            "q025": (mine["q025"] - peer["q025"]) / peer["mcse_q025"],
            "q975": (mine["q975"] - peer["q975"]) / peer["mcse_q975"],
        }
    except ImportError as exc:
        out["pymc"] = {"error": f"PyMC not installed ({exc}); pip install -e '.[bench]'"}
    if args.json:
        print(json.dumps(out, indent=2, sort_keys=True))
    else:
        print(
            f"ours: {mine['seconds'] * 1000:.1f} ms, effect {mine['mean']:+.3f} "
            f"[{mine['q025']:+.3f}, {mine['q975']:+.3f}]"
        )
        if "seconds_total" in out["pymc"]:
            p = out["pymc"]
            print(
                f"PyMC NUTS: {p['seconds_total']:.1f} s, effect {p['mean']:+.3f} "
                f"[{p['q025']:+.3f}, {p['q975']:+.3f}]; speed-up {out['speedup_total']:.0f}x"
            )
        else:
            print(out["pymc"]["error"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
