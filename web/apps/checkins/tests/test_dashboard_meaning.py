"""The dashboard gives each number one meaning: the change from baseline is stated once, coloured
by each scale's direction only beyond day-to-day noise, every band and colour is explained one tap
away, a new patient sees first steps, and today's check-in and the last 7 days come first."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import Patient, User
from apps.checkins.panel import PanelQuery, build_panel
from apps.checkins.queries import responses_of, summary_of
from apps.demo.clinic import load_demo


def _cell(page: str, scale: str) -> str:
    """The change cell of one scale's row in the change-from-baseline table."""
    row = page.split(f'<tr data-scale="{scale}">')[1].split("</tr>")[0]
    return row.split('<td data-label="Change" class="change')[1]


def _row_of(page: str, scale: str) -> tuple[str, str]:
    """(the classes, the number) of one scale's change cell."""
    cell = _cell(page, scale)
    classes = cell.split('"')[0].split()
    number = re.search(r'<span class="number">([^<]*)</span>', cell)
    assert number is not None
    return " ".join(classes), number.group(1)


@pytest.mark.django_db
def test_sam_okafors_dashboard_no_longer_contradicts_itself(
    client_for: Callable[[User | None], Client],
) -> None:
    load_demo()
    sam = Patient.objects.get(user__username="patient2")
    summary = summary_of(sam)
    assert summary.baseline is not None
    assert summary.last7 is not None
    # The contradiction testers found: Sam stopped checking in, so the calendar week holds only
    # 3 days, whose pain is above baseline, while the last 14 days on LDN are below it.
    assert summary.last7_days == 3
    assert summary.last7["pain"] - summary.baseline["pain"] > 0.3
    pain = next(r for r in responses_of(summary) if r.outcome == "pain")
    assert pain.result is not None
    assert pain.result.change < -0.5
    # Now the dashboard states one change, the analysis's, and the panel states the same.
    assert summary.change_from_baseline is not None
    assert summary.change_from_baseline["pain"] == pytest.approx(pain.result.change, abs=0.005)
    page = client_for(sam.user).get(f"/patients/{sam.pk}/").content.decode()
    classes, number = _row_of(page, "pain")
    assert number == f"{pain.result.change:+.1f}" == "-0.8"
    assert "worse" not in classes  # a fall in pain is never red
    assert re.search(r"Your daily pain over the last 14 days was 0\.8 points \(\d+%\) lower", page)
    assert "+0.5" not in page
    clinician = User.objects.get(username="clinician")
    rows = build_panel(clinician, PanelQuery()).page.object_list
    assert (
        next(r for r in rows if r.patient == sam).pain_change
        == summary.change_from_baseline["pain"]
    )
    # The 7-day card shows levels, with how many days they rest on, and no change.
    week = page.split('id="week"')[1].split("</section>")[0]
    assert "Average of the 3 days with a check-in" in week
    assert "+" not in week.split("<table")[1].split("</table>")[0]


def test_colours_follow_each_scales_direction_and_noise_is_not_coloured(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    noisy = [3, 7, 4, 6, 5, 3, 7, 5, 4, 6]
    # pain and sleep vary a little day to day (means 7 then 4): a diary of one repeated rating
    # has no ups and downs to judge a change against and is not estimable (next test)
    before, after = [7, 6, 8, 7, 7, 8, 6], [4, 3, 5, 4, 4, 5, 3]
    for i, days_ago in enumerate(range(30, 16, -1)):
        make_checkin(
            patient,
            days_ago=days_ago,
            pain=before[i % 7],
            sleep=before[i % 7],
            mood=noisy[i % 10],
            dose_status="none",
            dose_mg=None,
        )
    for i, days_ago in enumerate(range(16, 0, -1)):
        make_checkin(
            patient,
            days_ago=days_ago,
            pain=after[i % 7],
            sleep=after[i % 7],
            mood=noisy[(i + 3) % 10],
        )
    page = client_for(patient.user).get(f"/patients/{patient.pk}/").content.decode()
    assert _row_of(page, "pain") == ("better", "-3.0")  # lower pain is better
    assert _row_of(page, "sleep") == ("worse", "-3.0")  # lower sleep quality is worse
    mood_classes, _ = _row_of(page, "mood")
    assert mood_classes == ""  # within day-to-day ups and downs: neither green nor red
    assert "within day-to-day ups and downs" in _cell(page, "mood")
    assert "better, beyond day-to-day ups and downs" in _cell(page, "pain")


def test_a_diary_of_one_repeated_rating_says_the_change_cannot_be_estimated(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in range(30, 16, -1):
        make_checkin(patient, days_ago=days_ago, pain=7, dose_status="none", dose_mg=None)
    for days_ago in range(16, 0, -1):
        make_checkin(patient, days_ago=days_ago, pain=4)
    page = client_for(patient.user).get(f"/patients/{patient.pk}/").content.decode()
    assert _row_of(page, "pain") == ("", "-3.0")  # the change is stated, not coloured
    assert "how sure is not known" in _cell(page, "pain")
    why = page.split('id="response"')[1].split("</details>")[0]
    assert "The change in your daily pain cannot be estimated" in why
    assert "every baseline day was rated 7 and every recent day 4" in why


def test_every_band_and_colour_is_explained_one_tap_away(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in range(30, 20, -1):
        make_checkin(patient, days_ago=days_ago, pain=7, dose_status="none", dose_mg=None)
    for days_ago in range(20, 0, -1):
        make_checkin(patient, days_ago=days_ago, pain=6 if days_ago % 2 else 5)
    page = client_for(patient.user).get(f"/patients/{patient.pk}/").content.decode()
    card = page.split('id="change"')[1].split("</section>")[0]
    badges = set(re.findall(r'<span class="badge category-[a-z-]+">([a-z ]+)</span>', card))
    assert badges  # the size bands are shown …
    explained = card.split('id="what-changes-mean"')[1].split("</details>")[0]
    for band in badges:  # … and each is explained, with its threshold and source
        assert f"<strong>{band}</strong>" in explained
    for words in ("50% better or more", "30% to 49%", "10% to 29%", "Dworkin", "Farrar"):
        assert words in explained
    assert "<strong>Green</strong>" in explained
    assert "<strong>No colour</strong>" in explained
    # the 7-day card and the chart explain their numbers and marks too
    assert "What this means" in page.split('id="week"')[1].split("</section>")[0]
    assert "Dotted flat line: your average before LDN" in page
    # No code or internal name on the page.
    for internal in ("change_from_baseline", "last7", "not applicable", "AR1"):
        assert internal not in page.split("<main")[1].split('id="checkin-spec"')[0]


def test_a_new_patient_sees_first_steps_instead_of_empty_charts(
    client_for: Callable[[User | None], Client], patient: Patient, clinician: User
) -> None:
    page = client_for(patient.user).get(f"/patients/{patient.pk}/").content.decode()
    assert "First steps" in page
    assert "Check in every day" in page
    assert "check in for at least 7 days" in page
    assert "Check in now" in page
    for empty in ('id="checkin-chart"', 'id="changes"', "How sure is this?", "—"):
        assert empty not in page
    assert page.count("Needs at least 7 days") == 0  # no four identical notes
    # the clinician sees where the patient is, in words for a clinician
    page = client_for(clinician).get(f"/patients/{patient.pk}/").content.decode()
    assert "has 0 days of check-ins and no dose recorded yet" in page


def test_a_patient_part_way_through_the_baseline_sees_how_many_days_to_go(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in (3, 2, 1):
        make_checkin(patient, days_ago=days_ago, dose_status="none", dose_mg=None)
    page = client_for(patient.user).get(f"/patients/{patient.pk}/").content.decode()
    assert "You have 3 so far: 4 to go." in page
    assert 'id="checkin-chart"' not in page
    assert "Average of the 3 days with a check-in" in page
    assert "No check-in yet today." in page


def test_todays_check_in_and_the_last_7_days_come_first(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in range(30, 20, -1):
        make_checkin(patient, days_ago=days_ago, dose_status="none", dose_mg=None)
    for days_ago in range(20, -1, -1):
        make_checkin(patient, days_ago=days_ago, dose_mg=Decimal("4.50"))
    page = client_for(patient.user).get(f"/patients/{patient.pk}/").content.decode()
    order = [page.index(f'id="{name}"') for name in ("today", "week", "change", "checkin-chart")]
    order.append(page.index('id="entries"'))
    assert order == sorted(order)
    assert "You checked in today" in page
    assert "Check in again" in page
    # the long parts fold away: the full analysis and the list of check-ins
    assert '<details class="explain" id="response">' in page
    assert re.search(r'id="entries">\s*<details>', page)


def test_a_patient_who_started_ldn_without_a_baseline_is_told_why_there_is_no_change(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in (12, 11, 10):
        make_checkin(patient, days_ago=days_ago, dose_status="none", dose_mg=None)
    for days_ago in range(9, 0, -1):
        make_checkin(patient, days_ago=days_ago)
    page = client_for(patient.user).get(f"/patients/{patient.pk}/").content.decode()
    assert "First steps" not in page
    card = page.split('id="change"')[1].split("</section>")[0]
    assert "No baseline: it needs at least 7 days of check-ins before the first dose" in card
    assert "(3 were recorded)" in card
    assert 'id="changes"' not in card
