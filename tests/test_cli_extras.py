"""The core installs without rich and vl-convert; what is missing is named with the extra."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lowdose.charts import CHARTS_MISSING, render
from lowdose.cli import main
from lowdose.cli.output import RICH_MISSING, LazyProgress
from lowdose.errors import MissingExtraError
from lowdose.meta.plots import to_png


def _uninstall(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``import package`` (and its sub-modules) fail as if it were not installed."""
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, package, None)


def test_without_rich_a_table_names_the_cli_extra_and_json_still_works(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _uninstall(monkeypatch, "rich")
    assert main(["screen", "--med", "tramadol"]) == 1
    out = capsys.readouterr()
    assert out.err == f"lowdose: {RICH_MISSING}\n"
    assert "pip install 'lowdose[cli]'" in out.err
    assert main(["screen", "--med", "tramadol", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "contraindicated"


def test_without_rich_a_slow_run_simply_has_no_progress_bar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _uninstall(monkeypatch, "rich")
    slow = LazyProgress("slow")
    slow.start -= 2.0
    slow(5, 10)
    assert slow.bar is None
    slow.close()


SPEC = {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}}


@pytest.mark.parametrize("export", [lambda: render(SPEC, "svg"), lambda: to_png(SPEC)])
def test_without_vl_convert_chart_export_names_the_charts_extra(
    monkeypatch: pytest.MonkeyPatch, export: Callable[[], bytes]
) -> None:
    _uninstall(monkeypatch, "vl_convert")
    with pytest.raises(MissingExtraError) as raised:
        export()
    assert str(raised.value) == CHARTS_MISSING
    assert "pip install 'lowdose[charts]'" in str(raised.value)


def test_without_vl_convert_the_cli_plot_flag_is_a_domain_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _uninstall(monkeypatch, "vl_convert")
    assert main(["pk", "simulate", "--dose", "4.5", "--plot", f"{tmp_path}/x.png", "--json"]) == 1
    assert capsys.readouterr().err == f"lowdose: {CHARTS_MISSING}\n"
