"""Compile the numba kernels once, before anyone waits for them (decision 9).

A kernel compiles on its first call in a fresh environment (about 10 s for the PK population
kernel, 6 s for the REML profile kernel on the CI machine) and is cached beside its module (or
under ``NUMBA_CACHE_DIR``) for every later process. ``make run`` calls :func:`warm_up` before it
serves, and a deployment runs ``python -m lowdose.kernels`` once as the app user after an
install or upgrade, so that no page or job pays the compile.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["warm_up"]


def warm_up() -> float:
    """Compile (or load from the cache) every kernel on tiny inputs; the seconds it took."""
    from lowdose.meta.batch import fit_many
    from lowdose.pk.population import iter_population_grid, sample_parameters

    started = time.perf_counter()
    for _ in iter_population_grid(
        sample_parameters(2, seed=1), np.array([0.0, 24.0]), np.array([4.5, 4.5]), np.arange(48.0)
    ):
        pass
    fit_many(np.array([[0.1, 0.4, -0.2]]), np.array([[0.04, 0.09, 0.05]]), "REML")
    return time.perf_counter() - started


if __name__ == "__main__":  # pragma: no cover - a command for deployments
    print(f"lowdose kernels ready ({warm_up():.1f} s)")
