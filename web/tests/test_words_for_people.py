"""No code, field name or internal name reaches a person (issue 12, item 7).

A crawler signs in as each demo login, follows every link it can reach from the start page (within
the site, no downloads, the API or Django's admin), sends each form once with its visible fields
empty (so that error messages are read too), and reads each page's visible text: the words
between tags, plus what assistive technology reads aloud (``aria-label``,
``title``, ``alt``, ``placeholder``) and the labels of buttons. It fails on a snake_case word
(``dose_mg``, ``no_clear_difference``), a dotted Python name (``lowdose.pk.washout_hours``) or
"NOT FOUND".
"""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.accounts.tests.crawler import ROLES, crawl, problems_in
from apps.demo.clinic import load_demo

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_checks_catch_what_they_are_for() -> None:
    assert problems_in("dose_mg: is required") == ["dose_mg"]
    assert problems_in("Result: no_clear_difference") == ["no_clear_difference"]
    assert problems_in("see (lowdose.pk.washout_hours)") == ["lowdose.pk.washout_hours"]
    assert problems_in("cyclobenzaprine NOT FOUND") == ["NOT FOUND"]
    assert problems_in("Pain 4/10 at 22:00, 4.5 mg, e.g. LDN; www.example.org/a_b") == []


@pytest.mark.parametrize("username", ROLES)
def test_no_page_shows_a_code_or_an_internal_name(username: str) -> None:
    load_demo()
    client = Client()
    client.force_login(User.objects.get(username=username))
    report = crawl(client)
    assert report == {}
