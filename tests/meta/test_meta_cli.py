"""``lowdose meta`` command: JSON contract and error messages naming row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lowdose.cli import main

REF = json.loads((Path(__file__).parents[1] / "reference" / "meta_metafor_parity.json").read_text())
BCG = REF["dat_bcg"]
KEYS = [
    "k", "measure", "method", "test", "estimate", "se", "ci_low", "ci_high", "pi_low",
    "pi_high", "tau2", "tau2_ci_low", "tau2_ci_high", "I2", "H2", "Q", "Q_p", "stat", "p",
]  # fmt: skip


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "studies.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def bcg_csv(tmp_path):
    lines = ["study,year,ai,bi,ci,di"]
    for i in range(13):
        lines.append(
            f"{BCG['author'][i]},{BCG['year'][i]},{BCG['tpos'][i]},{BCG['tneg'][i]},"
            f"{BCG['cpos'][i]},{BCG['cneg'][i]}"
        )
    return write(tmp_path, "\n".join(lines) + "\n")


def test_json_has_exactly_the_issue_keys_and_log_scale_values(bcg_csv, capsys):
    code = main(["meta", str(bcg_csv), "--measure", "RR", "--method", "DL", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert sorted(out) == sorted(KEYS)
    assert out["k"] == 13
    assert (out["measure"], out["method"], out["test"]) == ("RR", "DL", "z")
    assert out["estimate"] == pytest.approx(-0.7141, abs=1e-4)  # metafor, log scale
    assert out["tau2_ci_low"] == pytest.approx(0.1197, abs=1e-4)
    assert out["I2"] == pytest.approx(92.1173, abs=1e-4)


def test_knha_and_forest_png(bcg_csv, tmp_path, capsys):
    png = tmp_path / "forest.png"
    code = main(
        ["meta", str(bcg_csv), "--measure", "RR", "--test", "knha", "--json", "--forest", str(png)]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["test"] == "knha"
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_people_output_is_a_table(bcg_csv, capsys):
    assert main(["meta", str(bcg_csv), "--measure", "OR", "--method", "FE"]) == 0
    text = capsys.readouterr().out
    assert "Aronson" in text
    assert "Fixed-effect model (k = 13" in text


@pytest.mark.parametrize(
    ("content", "measure", "message"),
    [
        ("yi,sei\n0.1,0.2\n", "MD", "missing column 'm1i'"),
        ("yi,vi\n0.1,0.2\n0.3,-0.1\n", "GEN", "row 3, column 'vi'"),
        ("ai,bi,ci,di\n1,2,3,4\n0,5,3,4\n", "OR", "row 3, column 'ai': zero cell"),
        ("yi,vi\n0.1,abc\n", "GEN", "row 2, column 'vi': 'abc' is not a number"),
    ],
)
def test_bad_files_stop_with_row_and_column(tmp_path, capsys, content, measure, message):
    path = write(tmp_path, content)
    assert main(["meta", str(path), "--measure", measure]) == 1
    assert message in capsys.readouterr().err


def test_zero_cell_with_chosen_correction_runs(tmp_path, capsys):
    path = write(tmp_path, "ai,bi,ci,di\n1,20,3,18\n0,25,3,22\n2,30,5,28\n")
    assert main(["meta", str(path), "--measure", "OR", "--add", "0.5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["k"] == 3


def test_unknown_method_is_a_usage_error(bcg_csv):
    with pytest.raises(SystemExit) as exc:
        main(["meta", str(bcg_csv), "--measure", "RR", "--method", "XX"])
    assert exc.value.code == 2
