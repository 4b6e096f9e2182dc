"""Which scheme pre-labels, a pulled dataset and a model were made with, and the choice of a command's scheme."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.errors import UserError
from models import provenance
from models.schemes import SCHEME_DIR

SCHEME_YAML = """name: sanctions_stance
title: Stance toward sanctions
neutral: none
labellers: [cues]
labels:
  - {id: favor, name: FAVOR, hotkey: f, description: For sanctions., cues: [tougher sanctions]}
  - {id: against, name: AGAINST, hotkey: a, description: Against sanctions., cues: [illegal sanctions]}
  - {id: none, name: NONE, hotkey: n, description: No side.}
"""


def write_scheme(path: Path, text: str = SCHEME_YAML) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bundled_scheme_is_recorded_by_name_a_file_by_its_absolute_path(tmp_path, monkeypatch):
    assert provenance.source_of("kremlin_framing") == "kremlin_framing"
    assert provenance.source_of(str(SCHEME_DIR / "favor_against.yaml")) == "favor_against"
    monkeypatch.chdir(tmp_path)
    write_scheme(tmp_path / "s.yaml")
    scheme, record = provenance.load("s.yaml")
    assert record == {"name": "sanctions_stance", "version": scheme.version, "labels": ["favor", "against", "none"],
                      "source": str((tmp_path / "s.yaml").resolve())}


def test_rows_record_their_scheme_and_an_earlier_record_is_replaced(tmp_path):
    _, record = provenance.load(str(write_scheme(tmp_path / "s.yaml")))
    rows = provenance.with_provenance([{"text": "a", "model_dir": "/old/model", "scheme": "old", "probs": {"favor": 1}}],
                                      record)
    assert rows == [{"text": "a", "probs": {"favor": 1}, "scheme": "sanctions_stance",
                     "scheme_version": record["version"], "scheme_source": record["source"]}]
    assert provenance.from_rows(rows) == {**record, "labels": ["favor"]}   # the labels the rows' probs hold
    with pytest.raises(UserError, match=r"x.jsonl hold pre-labels of 2 schemes \('kremlin_framing', 'sanctions_stance'\)"):
        provenance.from_rows(rows + [{"scheme": "kremlin_framing"}], "x.jsonl")


def test_rows_of_a_bundled_schemes_bootstrap_are_told_by_its_version():
    _, record = provenance.load("favor_against")
    assert provenance.from_rows([{"model_version": f"bootstrap-{record['version']}"}]) == record
    assert provenance.from_rows([{"model_version": "bootstrap-0000000000"}, {"text": "no pre-label"}]) is None


def test_a_pulled_dataset_is_found_from_its_folder_its_dataset_and_its_labels(tmp_path):
    pulled = tmp_path / "pulled"
    (pulled / "dataset").mkdir(parents=True)
    (pulled / "labels.jsonl").write_text("")
    (pulled / "report.json").write_text(json.dumps({"scheme": "sanctions_stance", "scheme_version": "v1",
                                                    "scheme_source": "/s/sanctions.yaml",
                                                    "label_counts": {"favor": 2, "against": 0, "none": 1}}))
    want = {"name": "sanctions_stance", "version": "v1", "labels": ["favor", "against", "none"],
            "source": "/s/sanctions.yaml"}
    # annotations.jsonl too: `evaluate --data PULL/annotations.jsonl --by annotator` of an own scheme's pull
    # had said "label 'none' is not in the scheme (kremlin_framing, ...)" (QA qa22)
    for data in (pulled, pulled / "dataset", pulled / "labels.jsonl", pulled / "labels.parquet",
                 pulled / "annotations.jsonl"):
        assert provenance.from_dataset(data) == want, data
    assert provenance.from_dataset(tmp_path / "held_out.jsonl") is None


def test_a_model_records_its_scheme_and_whether_it_learnt_anything(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    config = {"scheme": "sanctions_stance", "scheme_version": "v1", "labels": ["favor", "against", "none"],
              "scheme_labels": ["favor", "against", "none"],
              "scheme_path": "/s/sanctions.yaml", "version": "minilm-ft-1",
              "metrics": {"validation_macro_f1": 0.266, "validation_claims": 16},
              "blend": {"bootstrap_weight": 0.0, "validation_f1_by_weight": {"0.0": 0.64},
                        "validation_f1_bootstrap_alone": 0.6, "validation_mean_top_probability": 0.335}}
    (model / "claimstance.json").write_text(json.dumps(config))
    assert provenance.from_model(model) == {"name": "sanctions_stance", "version": "v1",
                                            "labels": ["favor", "against", "none"], "source": "/s/sanctions.yaml"}
    assert provenance.model_warning(model) == (
        f"model minilm-ft-1 ({model}) scored at chance on its 16 validation claims (network macro-F1 0.266, chance "
        "0.333, probabilities near-uniform (top 0.335)): pre-label with the bootstrap (leave out --model) until "
        "more claims are labelled")
    config["metrics"]["validation_macro_f1"] = 0.55
    config["blend"]["validation_f1_by_weight"] = {"0.0": 0.58}
    (model / "claimstance.json").write_text(json.dumps(config))
    assert "did no better than the bootstrap on its 16 validation claims (macro-F1 0.580, the bootstrap alone 0.600)" \
        in provenance.model_warning(model)
    config["blend"]["validation_f1_by_weight"] = {"0.0": 0.7}
    (model / "claimstance.json").write_text(json.dumps(config))
    assert provenance.model_warning(model) is None
    assert provenance.model_warning(tmp_path / "no_model") is None


def test_the_recorded_scheme_is_used_and_a_different_one_given_is_one_error_naming_both(tmp_path):
    path = write_scheme(tmp_path / "s.yaml")
    _, record = provenance.load(str(path))
    chosen = provenance.resolve(None, [("the dataset d", record)])
    assert chosen.source == str(path.resolve()) and chosen.scheme.name == "sanctions_stance" and not chosen.notes
    assert provenance.resolve(None, []).source == "kremlin_framing"   # nothing recorded: the default
    # favor_against has the same label ids: still another scheme
    with pytest.raises(UserError) as err:
        provenance.resolve("favor_against", [("the dataset d", record)])
    assert str(err.value).startswith("--scheme favor_against is scheme 'favor_against' (favor, against, none; version ")
    assert f"but the dataset d was labelled with scheme 'sanctions_stance' (favor, against, none; version {record['version']}); " \
           "leave out --scheme to use it" in str(err.value)


def test_an_edited_scheme_file_is_another_version_a_note_not_an_error(tmp_path):
    path = write_scheme(tmp_path / "s.yaml")
    _, before = provenance.load(str(path))
    write_scheme(path, SCHEME_YAML.replace("tougher sanctions", "tougher sanctions, more sanctions"))
    chosen = provenance.resolve(None, [("the dataset d", before)])
    assert chosen.record["version"] != before["version"]
    assert chosen.notes == [f"scheme 'sanctions_stance' ({path.resolve()}) has changed since the dataset d was labelled "
                            f"(version {before['version']}, now {chosen.record['version']}; the same labels): using it "
                            "as it is now"]
    given = provenance.resolve(str(path), [("the dataset d", before)])
    assert "the dataset d was labelled with version" in given.notes[0]


def test_a_recorded_file_that_is_gone_or_unrecorded_asks_for_scheme(tmp_path):
    path = write_scheme(tmp_path / "s.yaml")
    _, record = provenance.load(str(path))
    path.unlink()
    with pytest.raises(UserError, match=r"the dataset d was labelled with scheme 'sanctions_stance' .* from .*s\.yaml, "
                                         r"which cannot be read now .*; give --scheme with that scheme's YAML"):
        provenance.resolve(None, [("the dataset d", record)])
    with pytest.raises(UserError, match=r"whose file is not recorded; give --scheme"):
        provenance.resolve(None, [("the dataset d", {**record, "source": None})])


def test_a_model_and_a_dataset_of_two_schemes_are_one_error(tmp_path):
    _, kremlin = provenance.load("kremlin_framing")
    _, favor = provenance.load("favor_against")
    with pytest.raises(UserError, match=r"^model m was trained with scheme 'kremlin_framing' .*, the dataset d with "
                                        r"scheme 'favor_against'"):
        provenance.resolve(None, [("model m", kremlin), ("the dataset d", favor)])


def test_a_model_from_before_scheme_labels_is_checked_by_its_schemes_name(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "claimstance.json").write_text(json.dumps({"scheme": "kremlin_framing",
                                                        "labels": ["kremlin_framing", "neutral"]}))
    record = provenance.from_model(model)
    assert record == {"name": "kremlin_framing", "version": None, "labels": [], "source": "kremlin_framing"}
    assert provenance.resolve(None, [("model m", record)]).source == "kremlin_framing"
    with pytest.raises(UserError, match=r"but model m was trained with scheme 'kremlin_framing'; leave out"):
        provenance.resolve("favor_against", [("model m", record)])


# --- one scheme edited, another file of the same name ---------------------------------------------

def test_a_scheme_is_its_name_and_its_file_and_only_its_file_name_leaves_the_machine(tmp_path):
    _, mine = provenance.load(str(write_scheme(tmp_path / "s.yaml")))
    assert provenance.source_key(mine["source"]) == "file:s.yaml"
    assert provenance.source_key(str(SCHEME_DIR / "favor_against.yaml")) == "favor_against"
    assert provenance.shared_record(mine) == {**mine, "source": "s.yaml"}
    assert provenance.relation(mine, provenance.shared_record(mine)) == "same"
    # a copy of a bundled scheme keeping its name is another scheme: another file
    (tmp_path / "copy").mkdir()
    copy = (SCHEME_DIR / "favor_against.yaml").read_text(encoding="utf-8").replace("target:", "target: x  #", 1)
    _, copied = provenance.load(str(write_scheme(tmp_path / "copy" / "fa.yaml", copy)))
    _, bundled = provenance.load("favor_against")
    assert copied["name"] == "favor_against" and provenance.relation(copied, bundled) == "other"
    with pytest.raises(UserError, match=r"--scheme favor_against is scheme 'favor_against' \(.*\) from configs/schemes, "
                                        r"but the dataset d was labelled with scheme 'favor_against' \(.*\) from fa.yaml;"):
        provenance.resolve("favor_against", [("the dataset d", copied)])


def test_an_edited_scheme_with_a_new_label_is_used_with_a_note_and_a_dropped_one_in_use_is_an_error(tmp_path):
    path = write_scheme(tmp_path / "s.yaml")
    _, then = provenance.load(str(path))
    write_scheme(path, SCHEME_YAML + "  - {id: mixed, name: MIXED, hotkey: m, description: Both.}\n")
    # without --scheme (the recorded file, as it is now) and with it: the same answer, a note
    for given in (None, str(path)):
        resolved = provenance.resolve(given, [("project 'p'", then)])
        assert resolved.record["labels"] == ["favor", "against", "none", "mixed"]
        assert resolved.notes == ["scheme 'sanctions_stance' has been edited since project 'p' was pushed: labels now "
                                  "favor, against, none, mixed (added mixed); using it as it is now"]
    # training on a dataset whose claims carry a label the file has dropped: an error naming it
    pulled = tmp_path / "pulled"
    (pulled / "dataset").mkdir(parents=True)
    (pulled / "labels.jsonl").write_text("")
    (pulled / "report.json").write_text(json.dumps({
        "scheme": "sanctions_stance", "scheme_version": then["version"], "scheme_source": str(path),
        "label_counts": {"favor": 3, "against": 2, "none": 0}}))
    assert provenance.for_training(pulled / "dataset", None).record["labels"][-1] == "mixed"
    write_scheme(path, SCHEME_YAML.replace("  - {id: against, name: AGAINST, hotkey: a, description: Against "
                                           "sanctions., cues: [illegal sanctions]}\n", ""))
    with pytest.raises(UserError, match=r"scheme 'sanctions_stance' \(.*s.yaml\) has no label against, which claims of "
                                        r"the dataset .* are labelled with; put it back in the scheme's file to train"):
        provenance.for_training(pulled / "dataset", None)


def test_a_file_name_alone_from_a_project_asks_for_the_path():
    record = {"name": "sanctions_stance", "version": "v", "labels": ["favor"], "source": "s.yaml"}
    with pytest.raises(UserError, match=r"project 'p' was pushed with scheme 'sanctions_stance' .* from a file "
                                        r"s.yaml whose place this workspace does not record; give --scheme"):
        provenance.resolve(None, [("project 'p'", record)])
