"""The YAML every stage reads from users (manifests, schemes, compare and pipeline settings): a file
nested too deep, an alias bomb or a huge file is one clear error naming the file, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from claimstance.config import load_pipeline_config
from corpus.errors import UserError
from corpus.manifest import load_manifest
from corpus.settings import MAX_DEPTH, read_yaml
from models.compare_settings import load_compare_settings
from models.schemes import load_scheme


def bomb(levels: int = 9) -> str:
    """A "billion laughs": each alias list repeats the one before nine times (9**9 strings expanded)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


DEEP = "name: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_BLOCK = "".join("  " * i + f"k{i}:\n" for i in range(500)) + "  " * 500 + "x\n"   # 250 KB
LOADERS = {
    "manifest": load_manifest,
    "scheme": load_scheme,
    "compare": load_compare_settings,
    "pipeline": load_pipeline_config,
}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("body, line", [(DEEP, 1), (DEEP_BLOCK, MAX_DEPTH + 1)], ids=["flow", "block"])
def test_yaml_nested_too_deep_is_one_error_naming_the_file(tmp_path: Path, loader: str, body: str,
                                                           line: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(UserError, match=rf"^{path}:{line}: nested too deep \(over {MAX_DEPTH} levels of lists "
                                        r"and mappings\); fix the "):
        LOADERS[loader](str(path))


@pytest.mark.parametrize("loader", LOADERS)
def test_an_alias_bomb_is_refused_at_once(tmp_path: Path, loader: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(), encoding="utf-8")
    began = time.monotonic()
    with pytest.raises(UserError, match=rf"^{path}: its aliases \(\*name\) expand to over 100,000 values"):
        LOADERS[loader](str(path))
    assert time.monotonic() - began < 5


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("documents:\n  - &a {file: a.txt, also: [*a]}\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_manifest(path)
    assert str(err.value) == (f"{path}:2: an alias refers to the list or mapping that holds it "
                              "(an anchor &name used inside itself); fix the manifest")


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("documents:\n" + "  - {file: a.txt}\n" * 70_000, encoding="utf-8")   # 1.2 MB
    with pytest.raises(UserError) as err:
        load_pipeline_config(path)
    assert str(err.value) == (f"{path}: over the 1 MB a config file may have; check that it is the "
                              "file meant")
    small = tmp_path / "small.yaml"
    small.write_text("documents:\n" + "  - {file: a.txt}\n" * 60, encoding="utf-8")   # 1.1 KB
    assert read_yaml(small, "manifest", max_mb=0.0011)["documents"][0] == {"file": "a.txt"}
    with pytest.raises(UserError, match=r"small\.yaml: over the 0\.001 MB a manifest may have"):
        read_yaml(small, "manifest", max_mb=0.001)


def test_anchors_and_aliases_within_reason_and_a_shallow_file_still_load(tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text("defaults: &d {collection: c}\ndocuments:\n  - {file: a.txt, <<: *d}\n"
                    "  - {file: b.txt, tags: " + "[" * (MAX_DEPTH - 3) + "x" + "]" * (MAX_DEPTH - 3) + "}\n",
                    encoding="utf-8")
    manifest = load_manifest(path)
    assert manifest.for_file(tmp_path / "a.txt")["collection"] == "c"
    tags = manifest.for_file(tmp_path / "b.txt")["tags"]
    for _ in range(MAX_DEPTH - 4):   # the manifest, its list and the entry are three levels
        tags = tags[0]
    assert tags == ["x"]


def test_a_misspelt_optional_setting_is_named_with_the_field_meant(tmp_path: Path) -> None:
    # An optional field has no "field required" twin to point at: the error had said only "check the
    # spelling" (QA: `projekt:` in a pipeline YAML, `min_similarty:` under `compare:`).
    bad = tmp_path / "bad.yaml"
    bad.write_text("projekt: my corpus\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_pipeline_config(bad)
    assert str(err.value) == f"{bad}: projekt: unknown field (check the spelling); did you mean project?"
    bad.write_text("compare:\n  min_similarty: 0.6\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_compare_settings(bad)
    assert str(err.value) == f"{bad}: compare.min_similarty: unknown field (check the spelling); did you mean min_similarity?"
    bad.write_text("xyzzy: 1\n", encoding="utf-8")   # nothing near: no guess
    with pytest.raises(UserError) as err:
        load_pipeline_config(bad)
    assert str(err.value) == f"{bad}: xyzzy: unknown field (check the spelling)"


@pytest.mark.parametrize("load, hint", [
    (load_manifest, "check the --manifest path"),
    (load_pipeline_config, "pass --config with an existing YAML"),
    (load_compare_settings, "pass --config with an existing YAML"),
])
def test_a_folder_given_for_a_yaml_file_is_named_as_one(tmp_path: Path, load, hint: str) -> None:
    # QA: `stance claims doc.html --manifest corpus/` said 'cannot read the manifest ([Errno 21] Is a
    # directory: ...); check its permissions and encoding', neither of which was the trouble
    with pytest.raises(UserError) as err:
        load(tmp_path)
    assert str(err.value).startswith(f"{tmp_path}: a folder, not a") and str(err.value).endswith(hint)
