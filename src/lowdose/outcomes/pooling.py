r"""Pooling completed N-of-1 trials: a hierarchical random-effects (normal–normal) model.

Each completed, de-identified trial contributes its effect estimate :math:`y_i` (active −
placebo, posterior mean) and standard error :math:`\sigma_i` (posterior SD). Then

.. math::

    y_i \mid \theta_i \sim N(\theta_i, \sigma_i^2),\qquad
    \theta_i \mid \mu, \tau \sim N(\mu, \tau^2),\qquad
    p(\mu) \propto 1,\qquad \tau \sim \text{half-Cauchy}(0, A),\ A = 1\ \text{point}.

The half-Cauchy prior on the between-patient SD is the weakly informative choice of Gelman
(*Bayesian Analysis* 2006;1:515–534); a scale of 1 point says a spread of patients' true
effects beyond a few points on a 0–10 scale is unlikely but possible. Given τ everything is
Gaussian (Gelman et al., *Bayesian Data Analysis*, 3rd ed., §5.4):

.. math::

    w_i = \frac{1}{\sigma_i^2 + \tau^2},\quad
    \hat\mu = \frac{\sum w_i y_i}{\sum w_i},\quad V_\mu = \frac{1}{\sum w_i},\quad
    p(\tau \mid y) \propto p(\tau)\, V_\mu^{1/2} \prod_i w_i^{1/2}
        e^{-w_i (y_i - \hat\mu)^2 / 2},

and each patient's *shrunken* effect is :math:`\theta_i \mid \tau, y \sim N\big((1-B_i) y_i +
B_i \hat\mu,\ (1-B_i)\sigma_i^2 + B_i^2 V_\mu\big)` with :math:`B_i = \sigma_i^2 w_i`.
τ is integrated deterministically: :math:`u = \tfrac{2}{\pi}\arctan(\tau/A)` is uniform on
(0, 1) under the prior, so Gauss–Legendre quadrature in :math:`u` (200 nodes) integrates the
posterior without truncating τ. Results are mixtures of normals over the τ nodes.

Using the posterior SD of each trial as its standard error treats each trial's posterior as
a normal likelihood; with the weak effect prior of :mod:`lowdose.outcomes.priors` this is a
close approximation (the effect prior shrinks each trial by 2–4 %).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from lowdose.errors import AnalysisError
from lowdose.outcomes.ar1 import gauss_legendre
from lowdose.outcomes.nof1 import Nof1Result
from lowdose.serial import Plain

__all__ = ["Nof1SeriesEffect", "PooledNof1", "PooledResult", "ShrunkenEffect", "TrialEffect"]

#: Scale (points) of the half-Cauchy prior on the between-patient SD (Gelman 2006).
TAU_PRIOR_SCALE = 1.0
_NODES = 200


@dataclass(frozen=True)
class TrialEffect:
    """One completed, de-identified N-of-1 trial's effect estimate (active − placebo)."""

    patient: str
    estimate: float
    se: float
    arm: str = ""
    outcome: str = "pain"

    @classmethod
    def from_result(cls, patient: str, result: Nof1Result, arm: str | None = None) -> TrialEffect:
        """Take one arm's posterior mean and SD from a :class:`Nof1Result`.

        ``arm`` may be omitted when the trial had a single active arm.
        """
        effects = {e.arm: e for e in result.effects}
        if arm is None:
            if len(effects) != 1:
                raise AnalysisError(
                    f"this trial has several arms ({', '.join(effects)}); say which to pool",
                    field="arm",
                )
            arm = next(iter(effects))
        if arm not in effects:
            raise AnalysisError(
                f"arm {arm!r} is not in this trial (arms: {', '.join(effects)})", field="arm"
            )
        chosen = effects[arm]
        return cls(patient, chosen.mean, chosen.sd, chosen.arm, result.outcome)


@dataclass(frozen=True)
class ShrunkenEffect(Plain):
    """A patient's own estimate and the estimate after borrowing strength from the others."""

    patient: str
    estimate: float
    se: float
    shrunken_mean: float
    shrunken_sd: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Nof1SeriesEffect:
    """The pooled N-of-1 series as one effect to meta-analyse beside published trials.

    ``yi`` and ``vi`` are a mean difference on the 0–10 NRS and its variance (metafor's
    scale); the other fields are its provenance, named as the evidence base names them
    (:class:`lowdose.evidence.EffectRecord` converts it with ``from_series``), so this package
    needs nothing from the evidence base.
    """

    trial_id: str
    label: str
    year: int | None
    outcome: str
    measure: str
    yi: float
    vi: float
    how: str
    randomised: bool
    n: int | None
    caveats: tuple[str, ...]
    origin: str
    kind: str


@dataclass(frozen=True)
class PooledResult:
    """Frozen result of :class:`PooledNof1`."""

    outcome: str
    n_patients: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float
    p_better: float
    tau_median: float
    tau_ci: tuple[float, float]
    prediction_low: float
    prediction_high: float
    p_new_patient_mcid: float
    mcid: float
    lower_is_better: bool
    patients: tuple[ShrunkenEffect, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "n_patients": self.n_patients,
            "mean": self.mean,
            "sd": self.sd,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_better": self.p_better,
            "tau_median": self.tau_median,
            "tau_ci_low": self.tau_ci[0],
            "tau_ci_high": self.tau_ci[1],
            "prediction_low": self.prediction_low,
            "prediction_high": self.prediction_high,
            "p_new_patient_mcid": self.p_new_patient_mcid,
            "mcid": self.mcid,
            "patients": [p.to_dict() for p in self.patients],
        }

    def as_evidence_source(self) -> dict[str, Any]:
        """The pooled series as one source for the evidence summary, beside published trials.

        ``estimate`` and ``se`` are on the 0–10 scale (active − placebo; negative = less pain
        for pain), so the evidence engine can show or pool it as a mean difference.
        """
        return {
            "source": "lowdose clinic series of blinded N-of-1 trials",
            "design": "series of randomised, blinded, placebo-controlled N-of-1 trials",
            "outcome": self.outcome,
            "measure": "MD",
            "scale": "0-10 NRS points, active minus placebo",
            "n_patients": self.n_patients,
            "estimate": self.mean,
            "se": self.sd,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "tau": self.tau_median,
            "method": "normal-normal hierarchical model, flat mu, half-Cauchy(1) tau, "
            "tau integrated by Gauss-Legendre quadrature",
        }

    def as_effect_record(self) -> Nof1SeriesEffect:
        """The pooled series as one effect record (:class:`Nof1SeriesEffect`).

        Pass it to ``lowdose.evidence.summarize("pain_nrs", extra=[record])`` so the series
        appears as its own source (``origin="n_of_1"``) beside the published trials. Only pain
        maps onto the evidence base's 0–10 mean-difference outcome (``pain_nrs``); the other
        diary items are pooled there as standardised mean differences, which a patient's own
        day-to-day SD cannot supply.
        """
        if self.outcome != "pain":
            raise AnalysisError(
                f"only pain can join the evidence summary (as 'pain_nrs', 0–10 MD); "
                f"{self.outcome} is pooled there as an SMD",
                field="outcome",
            )
        return Nof1SeriesEffect(
            trial_id="lowdose-nof1-series",
            label=f"Clinic N-of-1 series ({self.n_patients} patients)",
            year=None,
            outcome="pain_nrs",
            measure="MD",
            yi=self.mean,
            vi=self.sd**2,
            how=(
                "posterior mean and SD of the population effect (active − placebo, 0–10 NRS) "
                "from a normal–normal hierarchical model of the patients' blinded N-of-1 "
                "results (flat μ, half-Cauchy(1) τ, τ integrated by quadrature; "
                "lowdose.outcomes.pooling)"
            ),
            randomised=True,
            n=self.n_patients,
            caveats=(
                "series of single-patient multi-crossover trials, not a parallel RCT",
                f"between-patient SD τ ≈ {self.tau_median:.2f} points",
            ),
            origin="n_of_1",
            kind="rct_crossover",
        )

    def summary(self) -> str:
        return (
            f"{self.n_patients} N-of-1 trials ({self.outcome}): population effect "
            f"{self.mean:+.2f} (95% CrI {self.ci_low:+.2f} to {self.ci_high:+.2f}); "
            f"between-patient SD {self.tau_median:.2f} ({self.tau_ci[0]:.2f}–"
            f"{self.tau_ci[1]:.2f}); a new patient's effect: {self.prediction_low:+.2f} to "
            f"{self.prediction_high:+.2f}; P(new patient benefits ≥ {self.mcid:g}) "
            f"{self.p_new_patient_mcid:.0%}"
        )


def _mixture_quantiles(
    weights: NDArray[np.float64], means: NDArray[np.float64], sds: NDArray[np.float64], q: float
) -> NDArray[np.float64]:
    """Quantile ``q`` of normal mixtures (one per column of ``means``/``sds``, shape (K, m)).

    Safeguarded Newton iteration to 1e-12 relative; weights have shape (K,).
    """
    m = weights @ means
    sd = np.sqrt(np.maximum(weights @ (sds**2 + means**2) - m**2, 1e-300))
    lo, hi = m - 40.0 * sd, m + 40.0 * sd
    x = m + float(special.ndtri(q)) * sd
    for _ in range(100):
        z = (x[None, :] - means) / sds
        f = weights @ special.ndtr(z) - q
        lo = np.where(f < 0, x, lo)
        hi = np.where(f >= 0, x, hi)
        dens = weights @ (np.exp(-0.5 * z * z) / (np.sqrt(2 * np.pi) * sds))
        step = x - f / np.maximum(dens, 1e-300)
        x_new = np.where((step >= lo) & (step <= hi), step, 0.5 * (lo + hi))
        done = bool(np.all(np.abs(x_new - x) <= 1e-12 * (1.0 + np.abs(x))))
        x = x_new
        if done:
            break
    return np.asarray(x)


def _q(
    weights: NDArray[np.float64], means: NDArray[np.float64], sds: NDArray[np.float64]
) -> tuple[float, float]:
    lo = _mixture_quantiles(weights, means[:, None], sds[:, None], 0.025)[0]
    hi = _mixture_quantiles(weights, means[:, None], sds[:, None], 0.975)[0]
    return float(lo), float(hi)


class PooledNof1:
    """Hierarchical random-effects pooling of completed N-of-1 trials.

    Parameters
    ----------
    trials
        One :class:`TrialEffect` per patient (at least 2), all of the same outcome.
    mcid
        Minimal clinically important difference for the new-patient probability.
    lower_is_better
        Benefit direction (``True`` for pain and fatigue).
    tau_scale
        Scale of the half-Cauchy prior on τ (points).
    """

    def __init__(
        self,
        trials: Sequence[TrialEffect],
        *,
        mcid: float = 1.0,
        lower_is_better: bool = True,
        tau_scale: float = TAU_PRIOR_SCALE,
    ) -> None:
        if len(trials) < 2:
            raise AnalysisError("pooling needs at least 2 completed trials", field="trials")
        outcomes = {t.outcome for t in trials}
        if len(outcomes) != 1:
            raise AnalysisError(
                f"all trials must report the same outcome, got {sorted(outcomes)}",
                field="trials",
            )
        for t in trials:
            if not (math.isfinite(t.estimate) and math.isfinite(t.se) and t.se > 0):
                raise AnalysisError(
                    f"trial {t.patient!r}: estimate must be finite and se > 0 "
                    f"(got {t.estimate!r}, {t.se!r})",
                    field="trials",
                )
        if len({t.patient for t in trials}) != len(trials):
            raise AnalysisError("each patient may contribute one trial", field="trials")
        if not tau_scale > 0:
            raise AnalysisError("tau_scale must be > 0", field="tau_scale")
        self.trials = tuple(trials)
        self.mcid = float(mcid)
        self.lower_is_better = lower_is_better
        self.tau_scale = float(tau_scale)

    def fit(self) -> PooledResult:
        """Integrate τ on the quadrature grid and summarise μ, τ, each θᵢ and a new θ."""
        y = np.array([t.estimate for t in self.trials])
        s2 = np.array([t.se for t in self.trials]) ** 2
        x, wq = gauss_legendre(_NODES)
        u = 0.5 * (x + 1.0)
        tau = self.tau_scale * np.tan(0.5 * np.pi * u)  # (K,)
        w = 1.0 / (s2[None, :] + tau[:, None] ** 2)  # (K, n)
        sw = w.sum(axis=1)
        mu_hat = (w * y).sum(axis=1) / sw
        v_mu = 1.0 / sw
        loglik = (
            0.5 * np.log(v_mu)
            + 0.5 * np.log(w).sum(axis=1)
            - 0.5 * (w * (y[None, :] - mu_hat[:, None]) ** 2).sum(axis=1)
        )
        logpost = loglik + np.log(0.5 * wq)
        post = np.exp(logpost - logpost.max())
        post /= post.sum()
        mean = float(post @ mu_hat)
        sd = float(np.sqrt(post @ (v_mu + mu_hat**2) - mean**2))
        sd_mu = np.sqrt(v_mu)
        ci = _q(post, mu_hat, sd_mu)
        p_below0 = float(post @ special.ndtr(-mu_hat / sd_mu))
        p_better = p_below0 if self.lower_is_better else 1.0 - p_below0
        # τ: posterior quantiles from the cumulative node weights (τ is monotone in u)
        cum = np.cumsum(post)
        tau_q = [float(np.interp(q, cum - 0.5 * post, tau)) for q in (0.025, 0.5, 0.975)]
        # new patient: θ_new ~ N(μ̂, V_μ + τ²) given τ
        sd_new = np.sqrt(v_mu + tau**2)
        pred = _q(post, mu_hat, sd_new)
        if self.lower_is_better:
            p_new = float(post @ special.ndtr((-self.mcid - mu_hat) / sd_new))
        else:
            p_new = float(post @ special.ndtr((mu_hat - self.mcid) / sd_new))
        b = s2[None, :] * w  # (K, n) shrinkage factors
        m_i = (1.0 - b) * y[None, :] + b * mu_hat[:, None]
        v_i = (1.0 - b) * s2[None, :] + b**2 * v_mu[:, None]
        shr_mean = post @ m_i
        shr_sd = np.sqrt(np.maximum(post @ (v_i + m_i**2) - shr_mean**2, 0.0))
        lows = _mixture_quantiles(post, m_i, np.sqrt(v_i), 0.025)
        highs = _mixture_quantiles(post, m_i, np.sqrt(v_i), 0.975)
        patients = [
            ShrunkenEffect(
                patient=t.patient,
                estimate=t.estimate,
                se=t.se,
                shrunken_mean=float(shr_mean[i]),
                shrunken_sd=float(shr_sd[i]),
                ci_low=float(lows[i]),
                ci_high=float(highs[i]),
            )
            for i, t in enumerate(self.trials)
        ]
        return PooledResult(
            outcome=self.trials[0].outcome,
            n_patients=len(self.trials),
            mean=mean,
            sd=sd,
            ci_low=ci[0],
            ci_high=ci[1],
            p_better=min(max(p_better, 0.0), 1.0),
            tau_median=tau_q[1],
            tau_ci=(tau_q[0], tau_q[2]),
            prediction_low=pred[0],
            prediction_high=pred[1],
            p_new_patient_mcid=p_new,
            mcid=self.mcid,
            lower_is_better=self.lower_is_better,
            patients=tuple(patients),
        )
