"""A clinic with a FIQR licence loads the wording from a file named in the settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.clinical.actions import assignable
from apps.clinical.licensed import install_licensed_wording
from lowdose import instruments


@pytest.fixture(autouse=True)
def _restore_registry() -> Iterator[None]:
    yield
    instruments.reset()


def _wording(tmp_path: Path, **overrides: object) -> Path:
    data: dict[str, object] = {
        "format": "lowdose-instrument-wording/1",
        "instrument": "fiqr",
        "language": "en",
        "copyright": "PLACEHOLDER notice for tests - not the real FIQR notice",
        "licence": {"holder": "Test Clinic", "reference": "TEST-0001"},
        "items": {k: f"Placeholder wording {k}" for k in instruments.get("fiqr").link_ids},
    }
    data.update(overrides)
    path = tmp_path / "fiqr.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_fiqr_becomes_assignable_once_its_licensed_wording_is_installed(tmp_path: Path) -> None:
    assert "fiqr" not in assignable()
    assert install_licensed_wording([str(_wording(tmp_path))]) == ["fiqr"]
    assert "fiqr" in assignable()
    assert instruments.get("fiqr").items[0].text == "Placeholder wording function_1"


def test_a_bad_wording_file_stops_start_up_with_the_setting_and_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^LOWDOSE_LICENSED_WORDING: "):
        install_licensed_wording([str(_wording(tmp_path, items={}))])
    with pytest.raises(ImproperlyConfigured, match="cannot read wording file"):
        install_licensed_wording([str(tmp_path / "missing.json")])
