"""Populations: seeded, chunk-invariant, with the variability the sources support."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from lowdose.pk import PkInputError
from lowdose.pk.population import (
    DEFAULT_VARIABILITY,
    PopulationSimulation,
    Variability,
    iter_population_grid,
    sample_parameters,
)
from lowdose.pk.regimen import Regimen, regimen_metrics

REG = Regimen(Decimal("4.5"), days=7)


def test_same_seed_same_people_and_chunking_does_not_change_results() -> None:
    a = PopulationSimulation(REG, 300, seed=7, chunk_size=4096).fit()
    b = PopulationSimulation(REG, 300, seed=7, chunk_size=37).fit()
    c = PopulationSimulation(REG, 300, seed=8).fit()
    assert a.percentiles == b.percentiles
    np.testing.assert_array_equal(a.bands["mu"], b.bands["mu"])
    assert a.percentiles != c.percentiles


def test_median_subject_is_near_the_typical_person_and_bands_are_ordered() -> None:
    pop = PopulationSimulation(REG, 4000, seed=1).fit()
    typical = regimen_metrics(REG).values
    # why 0.05: the median of 4000 draws of a skewed function of log-normals sits within a
    # few percentage points of the typical-value prediction (not equal: occupancy is nonlinear)
    assert pop.percentiles["occupancy.mu.peak"]["p50"] == pytest.approx(
        typical["occupancy.mu.peak"], abs=0.05
    )
    for arr in pop.bands.values():
        assert np.all(arr[0] <= arr[1] + 1e-6)
        assert np.all(arr[1] <= arr[2] + 1e-6)


def test_naltrexol_spread_reflects_the_4_fold_range() -> None:
    # With ω = ln4/3.7 on 6β-naltrexol exposure the p5-p95 ratio of its Cmax is about
    # exp(2*1.645*0.375) = 3.4 plus a little from absorption; it must not be 1 (no BSV) or
    # 10 (a wrong ω). Bounds 2.8-4.5 cover Monte-Carlo error at n=4000 (about ±5%).
    pop = PopulationSimulation(REG, 4000, seed=3).fit()
    q = pop.percentiles["naltrexol.cmax_ng_ml"]
    assert 2.8 < q["p95"] / q["p5"] < 4.5


def test_zero_variability_gives_identical_subjects() -> None:
    flat = tuple(Variability(v.parameter, 0.0, v.kind, v.source) for v in DEFAULT_VARIABILITY)
    pa = sample_parameters(5, 0, variability=flat)
    assert np.all(pa.a_parent == pa.a_parent[0])
    assert math.isclose(float(pa.ec50_mu[0]), float(pa.ec50_mu[4]))


def test_grid_iterator_covers_every_subject_once() -> None:
    pa = sample_parameters(50, 0)
    times = np.arange(0.0, 48.0)
    seen = 0
    for sl, conc, mu in iter_population_grid(
        pa, np.array([0.0, 24.0]), np.array([3.0, 3.0]), times, chunk_size=16
    ):
        assert conc.shape == (3, sl.stop - sl.start, times.size)
        assert mu.shape == conc.shape[1:]
        seen += sl.stop - sl.start
    assert seen == 50


def test_bad_population_options() -> None:
    with pytest.raises(PkInputError, match="n_subjects"):
        sample_parameters(0, 1)
    with pytest.raises(PkInputError, match="unknown variability"):
        sample_parameters(3, 1, variability=(Variability("hair_colour", 0.1, "assumed", "-"),))
