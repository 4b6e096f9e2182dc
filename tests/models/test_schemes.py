"""Label schemes: the shipped ones load, lookups work, and a typo names the file and the field."""

from __future__ import annotations

import pytest
import yaml

from corpus.errors import UserError
from models.schemes import load_scheme


def _write(tmp_path, data, name="x.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _minimal():
    return {
        "name": "x", "title": "X",
        "labels": [
            {"id": "yes", "name": "Yes", "description": "agrees", "hotkey": "y"},
            {"id": "no", "name": "No", "description": "disagrees", "hotkey": "n"},
        ],
    }


def test_default_scheme_has_three_labels_in_order_with_cues_and_examples():
    scheme = load_scheme("kremlin_framing")
    assert scheme.label_ids == ["kremlin_framing", "independent_reporting", "neutral"]
    assert scheme.neutral == "neutral"
    assert scheme.label("kremlin_framing").hotkey == "k"
    assert scheme.by_name("Independent reporting").id == "independent_reporting"
    assert scheme.index("neutral") == 2
    assert "Kiev regime" in scheme.label("kremlin_framing").cues
    assert scheme.label("kremlin_framing").cue_groups["kiev_spelling"] == ["Kiev"]
    assert scheme.label("independent_reporting").cue_groups["kiev_spelling"] == ["Kyiv"]
    assert len(scheme.label("kremlin_framing").examples) >= 20


def test_second_scheme_favor_against_none_toward_a_target():
    scheme = load_scheme("favor_against")
    assert scheme.label_ids == ["favor", "against", "none"]
    assert scheme.target == "sanctions on Russia"
    assert scheme.neutral == "none"


def test_load_by_path_and_version_follows_content(tmp_path):
    first = load_scheme(str(_write(tmp_path, _minimal(), "a.yaml")))
    data = _minimal()
    data["labels"][0]["cues"] = ["indeed"]
    second = load_scheme(str(_write(tmp_path, data, "b.yaml")))
    assert first.label_ids == ["yes", "no"]
    assert first.version != second.version
    assert first.version == load_scheme(str(tmp_path / "a.yaml")).version


def test_missing_field_names_file_and_field(tmp_path):
    data = _minimal()
    del data["labels"][1]["hotkey"]
    path = _write(tmp_path, data)
    with pytest.raises(UserError, match=r"x\.yaml: labels\.1\.hotkey: field required"):
        load_scheme(str(path))


def test_typo_in_a_field_name_is_an_error(tmp_path):
    data = _minimal()
    data["labels"][0]["cuess"] = ["x"]
    with pytest.raises(UserError, match=r"labels\.0\.cuess: unknown field"):
        load_scheme(str(_write(tmp_path, data)))
    # A misspelt required field is named, with the one it was meant to be ("hotkey: field required" had hidden it).
    data = _minimal()
    data["labels"][1]["hotkee"] = data["labels"][1].pop("hotkey")
    with pytest.raises(UserError, match=r"x\.yaml: labels\.1\.hotkee: unknown field; did you mean hotkey\?"):
        load_scheme(str(_write(tmp_path, data)))


@pytest.mark.parametrize("change, message", [
    (lambda d: d["labels"][1].update(hotkey="y"), r"labels\.1\.hotkey: 'y' is used by two labels"),
    (lambda d: d["labels"][0].update(hotkey="yy"), r"labels\.0\.hotkey: .*single character"),
    (lambda d: d["labels"][0].update(id="Yes!"), r"labels\.0\.id: .*lower-case"),
    (lambda d: d.update(neutral="maybe"), r"neutral: 'maybe' is not one of the label ids"),
    (lambda d: d.update(labels=d["labels"][:1]), r"at least two labels"),
    (lambda d: d.update(combiner={"neutral_evidence": {"bias": 1.0}}),
     r"combiner\.neutral_evidence: the scheme names no neutral label; add `neutral: <label id>`"),
    (lambda d: d.update(neutral="no", combiner={"neutral_evidence": {"questoin": 1.0}}),
     r"combiner\.neutral_evidence\.questoin: unknown field \(check the spelling\)"),
    (lambda d: d.update(neutral="no", combiner={"neutral_evidence": {"not_framing": ["atribution"]}}),
     r"combiner\.neutral_evidence\.not_framing\.0: 'atribution' is not a cue group; known: none"),
])
def test_inconsistent_schemes_are_rejected(tmp_path, change, message):
    data = _minimal()
    change(data)
    with pytest.raises(UserError, match=message):
        load_scheme(str(_write(tmp_path, data)))


def test_an_empty_scheme_file_says_what_a_scheme_needs(tmp_path):
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(UserError, match=r"empty\.yaml: empty; a scheme needs name, title and labels"):
        load_scheme(str(tmp_path / "empty.yaml"))


def test_unknown_name_lists_the_known_schemes_and_bad_yaml_names_the_line(tmp_path):
    with pytest.raises(UserError, match=r"unknown scheme 'nope'; known: .*kremlin_framing"):
        load_scheme("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlabels: [\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.yaml:\d+: not valid YAML"):
        load_scheme(str(bad))
    with pytest.raises(UserError, match="no such scheme file"):
        load_scheme(str(tmp_path / "absent.yaml"))
