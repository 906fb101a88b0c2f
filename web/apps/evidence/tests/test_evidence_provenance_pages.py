"""Issue 16 on the pages: every pooled number links to its primary source (DOI, PubMed,
registry) with the page it was read at beside it, and the trials still to report are shown per
condition with their planned size."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable

import pytest
from django.test import Client

from apps.accounts.models import User
from lowdose.evidence import awaiting, registered_trials, summarize, trial_provenance

pytestmark = pytest.mark.django_db


def _records_table(page: str, outcome: str) -> str:
    start = page.index(f'id="records-{outcome}"')
    return page[start : page.index("</table>", start)]


def test_clinician_page_links_each_pooled_effect_to_its_primary_source(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    page = client_for(clinician).get("/evidence/clinician/").content.decode()
    table = htmllib.unescape(_records_table(page, "pain"))
    for rec in summarize("pain").records:
        prov = trial_provenance(rec.trial_id)
        assert prov is not None
        row = table[table.index(f'id="rec-pain-{rec.trial_id}"') :]
        row = row[: row.index("</tr>")]
        # the effect number opens the article / PubMed / registry record, not the mirror page
        assert re.search(rf'<a href="{re.escape(str(prov.primary_url))}" rel="noopener">-?\d', row)
        # the page it was read at is kept as secondary provenance
        for rep in rec.reported:
            if rep.url:
                assert f'<a href="{rep.url}" rel="noopener">[read at]</a>' in row


def test_sources_list_every_primary_identifier_and_keeps_innova_uncertain(
    clinician: User, client_for: Callable[..., Client]
) -> None:
    page = htmllib.unescape(client_for(clinician).get("/evidence/clinician/").content.decode())
    src = page[page.index('id="src-bested2023"') :]
    src = src[: src.index("</li>")]
    assert "https://doi.org/10.1097/PR9.0000000000001080" in src
    assert "https://pubmed.ncbi.nlm.nih.gov/38226027/" in src
    assert "http://togows.dbcls.jp/entry/ncbi-pubmed/38226027" in src  # read at, kept
    innova = page[page.index('id="src-innova"') :]
    innova = innova[: innova.index("</li>")]
    assert "https://clinicaltrials.gov/study/NCT04739995" in innova
    assert "UNCERTAIN" in innova


@pytest.mark.parametrize("url", ["/evidence/", "/evidence/clinician/"])
def test_pages_show_what_is_awaited_beside_the_summary(
    url: str, clinician: User, client_for: Callable[..., Client]
) -> None:
    page = htmllib.unescape(client_for(clinician).get(url).content.decode())
    assert "awaiting results: 1 trial, 90 participants planned" in page
    for t in registered_trials():
        assert f'<a href="{t.registry_url}" rel="noopener">{t.registry}</a>' in page
    for key in ("long_covid", "me_cfs", "crps"):
        block = page[page.index(f'id="condition-{key}"') :]
        block = block[: block.index("</div>")]
        w = awaiting(key)
        assert "No completed randomised trial of LDN" in block
        assert f"{w.participants_planned} participants planned" in block
    assert "(status not confirmed)" in page  # unverified facts say so


def test_patient_page_lets_anyone_check_each_trial_at_its_source() -> None:
    page = htmllib.unescape(Client().get("/evidence/").content.decode())
    checks = page[page.index('id="checks"') :]
    checks = checks[: checks.index("</ul>")]
    assert (
        '<a href="https://doi.org/10.1016/S2665-9913(23)00278-3" rel="noopener">article (DOI)</a>'
        in checks
    )
    assert (
        '<a href="https://pubmed.ncbi.nlm.nih.gov/19453963/" rel="noopener">PubMed record</a>'
        in checks
    )
    assert "_" not in re.sub(r"<[^>]+>", "", checks)  # no internal names reach the page
