"""Label schemes: the shipped ones load, lookups work, and a typo names the file and the field."""

from __future__ import annotations

import re

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
    # Label Studio reads keys without their case: with 'y' and 'Y' both keys chose the second label (QA qa22,
    # in the browser), so the first could not be chosen by key.
    (lambda d: d["labels"][1].update(hotkey="Y"), r"labels\.1\.hotkey: 'Y' is used by two labels \(labels\.0 too: "
                                                  r"'y', and Label Studio reads keys without their case\)"),
    (lambda d: d["labels"][0].update(hotkey="yy"), r"labels\.0\.hotkey: .*single character"),
    (lambda d: d["labels"][0].update(id="Yes!"), r"labels\.0\.id: .*lower-case"),
    (lambda d: d.update(neutral="maybe"), r"neutral: 'maybe' is not one of the label ids"),
    (lambda d: d.update(labels=d["labels"][:1]), r"at least two labels"),
    (lambda d: d.update(combiner={"neutral_evidence": {"bias": 1.0}}),
     r"combiner\.neutral_evidence: the scheme names no neutral label; add `neutral: <label id>`"),
    (lambda d: d.update(neutral="no", combiner={"neutral_evidence": {"questoin": 1.0}}),
     r"combiner\.neutral_evidence\.questoin: unknown field; did you mean question\?"),
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


def test_every_problem_is_reported_at_once_one_a_line(tmp_path):
    data = _minimal()
    data["labels"][0]["id"] = "YES"                  # a field error ...
    data["labels"][1]["hotkey"] = "y"                # ... and the checks between fields, all in one message
    data["neutral"] = "No"
    data["labellers"] = ["cues", "similarty"]
    data["combiner"] = {"end_modle": False}
    with pytest.raises(UserError) as err:
        load_scheme(str(_write(tmp_path, data)))
    lines = str(err.value).splitlines()
    assert lines[0].endswith("x.yaml: 5 problems:")
    assert sorted(line.strip() for line in lines[1:]) == sorted([
        "combiner.end_modle: unknown field; did you mean end_model?",
        "labels.0.id: 'YES' must be lower-case letters, digits and underscores, starting with a letter: ids are "
        "stored in the data; write `id: yes` and keep 'YES' as the label's `name`, which is what annotators see",
        "labels.1.hotkey: 'y' is used by two labels (labels.0 too)",
        "neutral: 'No' is not one of the label ids ['YES', 'no']; did you mean no?",
        "labellers.1: unknown labeller 'similarty'; did you mean similarity?",
    ])
    assert "(top level)" not in str(err.value)


def test_an_empty_label_name_is_refused_saying_what_to_write(tmp_path):
    """Annotators pick a label by its name: an empty one had loaded, and the report's cue legend showed
    '' where its charts showed the id (one map now, ``cue_highlight.label_names``)."""
    data = _minimal()
    data["labels"][0]["name"] = ""
    data["labels"][1]["name"] = " \t"
    with pytest.raises(UserError) as err:
        load_scheme(str(_write(tmp_path, data)))
    assert str(err.value).splitlines()[1:] == [
        "  labels.0.name: empty; annotators see and pick a label by its name: write one, such as `name: Yes`",
        "  labels.1.name: empty; annotators see and pick a label by its name: write one, such as `name: No`"]
    data["labels"][1]["name"] = "No"
    with pytest.raises(UserError, match=r"x\.yaml: labels\.0\.name: empty; .* such as `name: Yes`$"):
        load_scheme(str(_write(tmp_path, data)))


def test_a_single_problem_stays_one_line_without_a_top_level_prefix(tmp_path):
    data = _minimal()
    data["labels"][1]["hotkey"] = "y"
    with pytest.raises(UserError) as err:
        load_scheme(str(_write(tmp_path, data)))
    assert str(err.value).endswith("x.yaml: labels.1.hotkey: 'y' is used by two labels (labels.0 too)")
    data = _minimal()
    data["similarity"] = {"temprature": 0.05}         # a nested typo of a field with a default
    with pytest.raises(UserError, match=r"x\.yaml: similarity\.temprature: unknown field; did you mean temperature\?$"):
        load_scheme(str(_write(tmp_path, data)))
    data["similarity"] = {"zzz": 1}
    with pytest.raises(UserError, match=r"similarity\.zzz: unknown field \(known here: temperature, top_k, "):
        load_scheme(str(_write(tmp_path, data)))


@pytest.mark.parametrize("combiner, neutral, message", [
    ({"statement_evidence": {"question": 1.0}}, None,
     r"combiner\.statement_evidence: the scheme names no neutral label; add `neutral: <label id>` or remove the block"),
    ({"statement_evidence": {"question": 1.0}, "neutral_evidence": {}}, "no",
     r"combiner\.statement_evidence: not used beside combiner\.neutral_evidence"),
    ({"statement_evidence": {"side_cue": 1.0}}, "no", r"combiner\.statement_evidence\.side_cue: .*less than or equal to 0"),
])
def test_statement_evidence_settings_are_checked(tmp_path, combiner, neutral, message):
    data = _minimal()
    data["combiner"] = combiner
    if neutral:
        data["neutral"] = neutral
    with pytest.raises(UserError, match=message):
        load_scheme(str(_write(tmp_path, data)))


def test_statement_evidence_is_on_by_default_and_in_the_version_only_where_it_acts(tmp_path):
    data = {**_minimal(), "neutral": "no"}
    on = load_scheme(str(_write(tmp_path, data, "on.yaml")))
    assert on.statement_evidence is not None and on.statement_evidence.not_a_statement > 0
    off = load_scheme(str(_write(tmp_path, {**data, "combiner": {"statement_evidence": None}}, "off.yaml")))
    assert off.statement_evidence is None and off.version != on.version
    # Left to the default it is no part of the version: an upgrade that turned it on changed no scheme's
    # version (favor_against's is the one the code before the setting gave it).
    assert load_scheme("favor_against").version == "7e91196bf2"
    assert load_scheme("kremlin_framing").version == "90a1a68e79"
    # Where it does nothing (no neutral label) the version is what it was before the setting existed.
    plain = load_scheme(str(_write(tmp_path, _minimal(), "plain.yaml")))
    assert "statement_evidence" not in plain.combiner.model_fields_set and plain.statement_evidence is None
    assert plain.version == load_scheme(str(_write(tmp_path, {**_minimal(), "combiner": {"statement_evidence": None}},
                                                   "plain2.yaml"))).version


def test_scheme_notes_on_a_copied_neutral_evidence_block_and_an_unnamed_neutral_label(tmp_path):
    from models.schemes import scheme_notes

    assert scheme_notes(load_scheme("kremlin_framing")) == [] and scheme_notes(load_scheme("favor_against")) == []
    copied = {**_minimal(), "neutral": "no", "combiner": {"neutral_evidence": {"bias": 2.5, "question": 1.5}}}
    notes = scheme_notes(load_scheme(str(_write(tmp_path, copied))))
    assert notes == ["scheme 'x': its combiner.neutral_evidence holds the weights fitted to kremlin_framing's "
                     "sentences, which pre-label most of another scheme's statements 'no'; remove the block "
                     "(headings, datelines, fragments and questions are neutral in every scheme with a neutral label "
                     "without it) or fit the weights to your own labels"]
    copied["combiner"]["neutral_evidence"]["bias"] = 1.0            # weights of one's own: no note
    assert scheme_notes(load_scheme(str(_write(tmp_path, copied)))) == []
    data = _minimal()
    data["labels"][1]["id"] = "none"
    assert scheme_notes(load_scheme(str(_write(tmp_path, data)))) == [
        "scheme 'x' names no neutral label: if 'none' is one, add `neutral: none` so that headings, datelines, "
        "fragments and questions are pre-labelled with it"]


@pytest.mark.parametrize("cue, message", [
    ("re:(unclosed", r"labels\.0\.cues: 're:\(unclosed' is not a regular expression \(missing \), unterminated "
                     r"subpattern at position 0\); fix it, or drop `re:` for a plain phrase$"),
    ("re:.*", r"labels\.0\.cues: 're:\.\*' matches an empty text, so it would find a cue in every claim"),
    ("re:", r"labels\.0\.cues: 're:' matches an empty text"),
    ("*", r"labels\.0\.cues: '\*' has no letter or digit, so it would find a cue in every claim; write words$"),
])
def test_a_cue_that_cannot_work_is_one_error_line(tmp_path, cue, message):
    """QA qa22: 're:(unclosed' stopped `stance prelabel` with a traceback; '*' and 're:.*' found a cue in
    every claim (9 of 12 claims pre-labelled favor); now each is refused when the scheme loads."""
    data = _minimal()
    data["labels"][0]["cues"] = ["sanctions work", cue]
    with pytest.raises(UserError, match=message):
        load_scheme(str(_write(tmp_path, data)))
    data = _minimal()
    data["labels"][0]["cue_groups"] = {"spelling": [cue]}
    with pytest.raises(UserError, match=r"labels\.0\.cue_groups: .*" + re.escape(repr(cue))):
        load_scheme(str(_write(tmp_path, data)))


def test_a_regex_cue_may_open_with_its_flags(tmp_path):
    """labellers.phrase_pattern's '(case-sensitive unless it says (?i))': a cue opening with (?i) is
    matched among the label's other cues, where Python refuses a global flag (it was a traceback)."""
    from models.labellers import CueMatcher

    data = _minimal()
    data["labels"][0]["cues"] = ["re:(?i)price caps? (?:is|are) working", "sanctions work"]
    scheme = load_scheme(str(_write(tmp_path, data)))
    matcher = CueMatcher(scheme.labels[0].cues)
    assert matcher.search("The PRICE CAP IS WORKING, they said.") and matcher.search("Sanctions work.")
    assert not matcher.search("The price cap was lifted.")
    assert not CueMatcher(["re:price caps? (?:is|are) working"]).search("The PRICE CAP IS WORKING.")


def test_a_label_field_written_above_the_labels_is_named_as_one(tmp_path):
    """QA qa22 wrote `source_types:` at the top level (favor_against.yaml has none to copy): the error had
    listed the top level's fields; it now says the field belongs under a label."""
    data = _minimal()
    data["source_types"] = {"yes": ["pro"]}
    with pytest.raises(UserError, match=r"x\.yaml: source_types: unknown field at the top level: `source_types` is "
                                        r"a label's field; write it under the label it is for"):
        load_scheme(str(_write(tmp_path, data)))
    # a near miss of a top-level field is still named as one
    data = _minimal()
    data["neutrl"] = "no"
    with pytest.raises(UserError, match=r"neutrl: unknown field; did you mean neutral\?"):
        load_scheme(str(_write(tmp_path, data)))
