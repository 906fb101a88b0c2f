"""``python -m lowdose.kernels`` (run by ``make run`` and after a deployment) compiles every
numba kernel, so that no page or job waits for a compile."""

from __future__ import annotations

from lowdose import kernels
from lowdose.meta import _profile_kernel
from lowdose.pk import _kernel, kinetics


def test_warm_up_compiles_the_pk_and_the_reml_kernels() -> None:
    seconds = kernels.warm_up()

    assert seconds > 0
    assert _kernel._fill.signatures  # the population grid
    assert kinetics._coefficients.signatures  # its coefficients
    assert _profile_kernel.likelihood_tau2.signatures  # many REML fits at once
