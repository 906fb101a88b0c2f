"""The number needed to treat and its interval (Newcombe RD interval; Altman's disjoint NNT)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from lowdose.errors import MetaInputError
from lowdose.evidence import ldn_responder_benefit
from lowdose.meta.number_needed import NumberNeededToTreat, wilson_interval


def test_wilson_interval_of_newcombes_example() -> None:
    # Newcombe 1998 (Stat Med 17:857, Table I): 81/263 -> Wilson 0.2553 to 0.3662.
    lo, hi = wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)


def test_newcombes_worked_difference() -> None:
    # Newcombe 1998 (Stat Med 17:873, Table II, example (a)): 56/70 - 48/80, method 10
    # gives 0.0524 to 0.3339.
    lo, hi = NumberNeededToTreat(56, 70, 48, 80).rd_interval
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)


def test_an_interval_through_zero_is_described_as_disjoint() -> None:
    benefit = ldn_responder_benefit()
    assert benefit is not None
    assert benefit.nnt == Fraction(1225, 207)
    assert benefit.includes_no_difference
    assert benefit.nnt_benefit_to is None
    assert "doi:10.1016/S2665-9913(23)00278-3" in benefit.source
    assert benefit.sentence() == (
        "22/49 on the drug against 14/50 on placebo: about 5.9 patients treated for one extra "
        "responder. The 95% interval of the difference (-0.020 to +0.342) includes no "
        "difference, so the interval of the number needed to treat runs from 2.9 (benefit) "
        "through infinity to 50.1 (harm): the trial cannot exclude that the drug adds no "
        "responders over placebo."
    )


def test_a_clear_benefit_has_a_finite_interval_and_no_benefit_has_no_nnt() -> None:
    clear = NumberNeededToTreat(30, 50, 10, 50)
    assert clear.nnt == Fraction(5, 2)
    assert not clear.includes_no_difference
    assert clear.sentence().endswith(
        f"(95% CI {clear.nnt_benefit_from:.1f} to {clear.nnt_benefit_to:.1f})."
    )
    assert NumberNeededToTreat(10, 50, 12, 50).nnt is None


@pytest.mark.parametrize("counts", [(5, 4, 1, 2), (-1, 4, 1, 2), (1, 0, 0, 0), (True, 4, 1, 2)])
def test_counts_must_be_counts(counts: tuple[int, int, int, int]) -> None:
    with pytest.raises(MetaInputError):
        NumberNeededToTreat(*counts)
