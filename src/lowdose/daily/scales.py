"""The daily 0–10 items of the diary, defined once: name, wording, range, direction and code.

Every part of lowdose that asks for, checks, stores, summarises, analyses, exports or draws a daily
score takes its scales from a :class:`DailyScales` set (by default :data:`DAILY_SCALES`): the
check-in validator, the daily questionnaire, the summaries and alerts, the response and N-of-1
analyses, both CSV formats, the charts, the web model's columns and the REST API's check-in
schemas. Adding a daily item is one entry here (and, in the web layer, a migration).

Directions (docs/decisions/0002)
--------------------------------
Pain and fatigue are symptom scales (0 = none, 10 = worst imaginable), following the IMMPACT 0–10
numeric rating scale convention (Dworkin et al., Pain 2005;113:9–19). Sleep quality and mood are
*quality* scales (0 = worst, 10 = best). The validated fibromyalgia sleep-quality diary item runs
the other way (Cappelleri et al., Health Qual Life Outcomes 2009;7:54: 0 = best possible sleep);
we reverse it so that the word "quality" reads naturally, and every comparison takes the
direction from :attr:`DailyScale.higher_is_better`.

Codes
-----
Only pain has a LOINC code for a 0–10 self-reported rating (72514-3, "Pain severity - 0-10 verbal
numeric rating [Score] - Reported"; the HL7 Belgium patient-monitoring IG uses it). The other items
carry no invented LOINC code: :attr:`DailyScale.code` falls back to a local code in the
:data:`LOCAL_CODE_SYSTEM`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lowdose.errors import DiaryError

__all__ = [
    "DAILY_SCALES",
    "LOCAL_CODE_SYSTEM",
    "LOINC_SYSTEM",
    "DailyScale",
    "DailyScales",
    "daily_scale",
]

LOINC_SYSTEM = "http://loinc.org"
#: The code system of daily items without a LOINC code (a lowdose-local system, clearly not LOINC).
LOCAL_CODE_SYSTEM = "urn:lowdose:daily-item"


@dataclass(frozen=True, slots=True)
class DailyScale:
    """One daily numeric rating scale (whole numbers from ``low`` to ``high``).

    Parameters
    ----------
    name
        Its key everywhere: the check-in field, the CSV column, the database column.
    label
        Its name for people ("Sleep quality").
    noun
        How a sentence names it ("daily pain", "sleep quality").
    low_anchor, high_anchor
        What ``low`` and ``high`` mean, in the patient's words.
    higher_is_better
        ``False`` for symptoms (pain, fatigue), ``True`` for sleep quality and mood.
    question
        The question as the daily questionnaire asks it.
    source
        Where the wording and the direction come from.
    loinc
        Its LOINC code, or ``None`` when LOINC has none (never an invented one).
    link_id
        Its item id in the daily questionnaire (``name`` unless set).
    recall
        The period the question asks about.
    low, high
        The bounds (0–10).
    """

    name: str
    label: str
    noun: str
    low_anchor: str
    high_anchor: str
    higher_is_better: bool
    question: str
    source: str
    loinc: str | None = None
    link_id: str = ""
    recall: str = "last 24 hours"
    low: int = 0
    high: int = 10

    def __post_init__(self) -> None:
        if not self.link_id:
            object.__setattr__(self, "link_id", self.name)
        if not self.low < self.high:
            raise ValueError(f"{self.name}: low must be below high")

    @property
    def lower_is_better(self) -> bool:
        return not self.higher_is_better

    @property
    def better_sign(self) -> int:
        """-1 when a decrease is an improvement, +1 when an increase is."""
        return 1 if self.higher_is_better else -1

    @property
    def direction(self) -> str:
        """ "higher is better" or "lower is better"."""
        return f"{'higher' if self.higher_is_better else 'lower'} is better"

    @property
    def code(self) -> tuple[str, str]:
        """``(system, code)``: LOINC where it has a code, else the local code system."""
        if self.loinc is not None:
            return LOINC_SYSTEM, self.loinc
        return LOCAL_CODE_SYSTEM, self.name

    def improvement(self, before: float, after: float) -> float:
        """Points of improvement from ``before`` to ``after`` (positive = better, any direction)."""
        return self.better_sign * (after - before)


class DailyScales:
    """An ordered set of daily scales, looked up by name; iterating yields the scales.

    The order is the order of the form, the CSV columns and the chart panels.
    """

    __slots__ = ("_by_name",)

    def __init__(self, scales: Iterable[DailyScale]) -> None:
        self._by_name = {scale.name: scale for scale in scales}
        if not self._by_name:
            raise ValueError("a set of daily scales needs at least one scale")

    def __iter__(self) -> Iterator[DailyScale]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> DailyScale:
        return self._by_name[name]

    def __repr__(self) -> str:
        return f"DailyScales({', '.join(self.names)})"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def scale(self, name: str) -> DailyScale:
        """The scale called ``name``; a :class:`~lowdose.errors.DiaryError` names the choices."""
        try:
            return self._by_name[name]
        except KeyError:
            raise DiaryError(
                f"unknown outcome {name!r}; choose one of {', '.join(self.names)}",
                field="outcome",
            ) from None

    def with_scale(self, scale: DailyScale) -> DailyScales:
        """This set with ``scale`` added at the end (e.g. a clinic's extra daily item)."""
        if scale.name in self._by_name:
            raise ValueError(f"there is already a daily scale called {scale.name!r}")
        return DailyScales((*self, scale))


DAILY_SCALES = DailyScales(
    (
        DailyScale(
            "pain",
            "Pain",
            "daily pain",
            "no pain",
            "worst pain imaginable",
            higher_is_better=False,
            question="Your pain over the last 24 hours",
            source="0–10 NRS, IMMPACT (Dworkin et al., Pain 2005;113:9–19)",
            loinc="72514-3",
        ),
        DailyScale(
            "fatigue",
            "Fatigue",
            "daily fatigue",
            "no fatigue",
            "worst fatigue imaginable",
            higher_is_better=False,
            question="Your fatigue over the last 24 hours",
            source="0–10 NRS, same anchors as pain (Dworkin et al., Pain 2005;113:9–19)",
        ),
        DailyScale(
            "sleep",
            "Sleep quality",
            "sleep quality",
            "worst possible sleep",
            "best possible sleep",
            higher_is_better=True,
            question="The quality of your sleep last night",
            source="Sleep Quality NRS, Cappelleri et al. 2009, adapted: reversed so that higher "
            "is better",
            link_id="sleep_quality",
            recall="last night",
        ),
        DailyScale(
            "mood",
            "Mood",
            "mood",
            "worst possible mood",
            "best possible mood",
            higher_is_better=True,
            question="Your mood over the last 24 hours",
            source="0–10 NRS, lowdose daily item (not a validated depression measure: use PHQ-9)",
        ),
    )
)


def daily_scale(name: str, scales: DailyScales = DAILY_SCALES) -> DailyScale:
    """The scale called ``name`` in ``scales`` (see :meth:`DailyScales.scale`)."""
    return scales.scale(name)
