"""Static int8 graphs (models.int8): the setting, the calibration set, the quantised encoder's
embeddings against the exported graph's, the files it leaves, and no telemetry from NNCF."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import models.encoder
import models.int8
from corpus.errors import UserError

REPO = Path(__file__).resolve().parents[2]


def test_the_int8_setting_is_checked(monkeypatch):
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "openvino")
    monkeypatch.delenv("CLAIMSTANCE_INT8", raising=False)
    assert models.int8.wanted() is True          # auto: OpenVINO and NNCF are both installed here
    monkeypatch.setenv("CLAIMSTANCE_INT8", "0")
    assert models.int8.wanted() is False
    monkeypatch.setenv("CLAIMSTANCE_INT8", "yes")
    with pytest.raises(UserError, match=r"CLAIMSTANCE_INT8='yes' is not a setting; use auto, 1 or 0"):
        models.int8.wanted()
    # Under ONNX Runtime the graphs stay as exported; insisting on int8 there names the conflict.
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "onnxruntime")
    monkeypatch.setenv("CLAIMSTANCE_INT8", "auto")
    assert models.int8.wanted() is False
    monkeypatch.setenv("CLAIMSTANCE_INT8", "1")
    with pytest.raises(UserError, match=r"CLAIMSTANCE_INT8=1 needs OpenVINO and NNCF .*or set CLAIMSTANCE_INT8=0"):
        models.int8.wanted()


def test_the_calibration_set_is_fixed_and_covers_the_scheme(monkeypatch):
    texts = models.int8.calibration_texts()
    assert texts == models.int8.calibration_texts()
    # The int8 graphs' file names carry a hash of the set's files: another set (or NNCF version), another graph.
    key = models.int8._calibration_key()
    assert len(key) == 8 and key == models.int8._calibration_key()
    sources = models.int8._calibration_sources()
    assert [p.suffix for p in sources] == [".txt", ".txt", ".yaml"]
    monkeypatch.setattr(models.int8, "_calibration_sources", lambda: sources[1:])
    assert models.int8._calibration_key() != key
    assert len(texts) > 150 and all(t.strip() for t in texts)
    from models.schemes import load_scheme

    scheme = load_scheme("kremlin_framing")
    assert set(texts) >= {lab.description for lab in scheme.labels} | {e for lab in scheme.labels for e in lab.examples}


@pytest.mark.slow
def test_the_int8_encoder_is_close_to_the_exported_graph(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path))
    monkeypatch.setenv("CLAIMSTANCE_RUNTIME", "openvino")
    texts = ["Kyiv says talks will resume next week.", "The Kiev regime shelled Donetsk again, the mayor said.",
             "Wheat prices rose on Monday.", "Hi", "NATO is waging a proxy war against Russia, Lavrov claimed."]
    exported = models.encoder.OnnxEncoder()
    int8 = models.encoder.OnnxEncoder(int8=True)
    folder = exported.onnx_path.parent
    key = models.int8._calibration_key()
    assert int8.onnx_path == folder / f"encoder.int8-{key}.xml" and (folder / f"encoder.int8-{key}.bin").exists()
    assert "int8: quantising the sentence encoder once" in capsys.readouterr().err
    # Written atomically: no temporary file is left beside it.
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    a, b = exported.encode(texts), int8.encode(texts, batch_size=2)
    assert b.shape == (5, 384) and b.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-3)
    cosine = (a * b).sum(axis=1)
    assert cosine.min() > 0.98, cosine
    # Not the same graph: int8 moves the embeddings a little.
    assert np.abs(a - b).max() > 1e-4
    # The second time the graph is read back, not quantised again; the compiled graph is cached beside it.
    again = models.encoder.OnnxEncoder(int8=True)
    assert "quantising" not in capsys.readouterr().err
    np.testing.assert_array_equal(again.encode(texts, batch_size=2), b)
    assert any((folder / "compiled").iterdir())
    # A damaged graph in the cache (here its .xml cut short) is quantised again, said in one line, and
    # gives the same embeddings; it used to fall back to bfloat16 on every run from then on.
    graph = int8.onnx_path
    graph.write_bytes(graph.read_bytes()[:3000])
    models.encoder.load_encoder.cache_clear()
    mended = models.encoder.load_encoder(int8=True)
    err = capsys.readouterr().err
    assert re.search(rf"^int8: {re.escape(str(graph))} could not be read \(RuntimeError: [^\n]+\); quantising it "
                     r"again\nint8: quantising the sentence encoder once", err, re.M), err
    assert mended.onnx_path == graph and graph.stat().st_size > 100_000
    np.testing.assert_array_equal(mended.encode(texts, batch_size=2), b)
    models.encoder.load_encoder.cache_clear()


def test_an_error_is_said_in_one_line():
    err = RuntimeError("Exception from src/inference/src/cpp/core.cpp:132:\nCheck failed at x.cpp:900:\n"
                       "Incorrect weights in bin file!\n\n")
    assert models.int8.one_line(err) == "RuntimeError: Incorrect weights in bin file!"
    assert models.int8.one_line(PermissionError(13, "Permission denied")) == "PermissionError: [Errno 13] Permission denied"


def test_nncf_is_imported_without_telemetry(tmp_path):
    """Outside pytest NNCF would send usage data and write a client id under the home directory."""
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from models.int8 import _import_nncf\n"
            "_import_nncf()\n"
            "import nncf.telemetry.wrapper as w, json\n"
            "print(json.dumps([isinstance(w.telemetry, w.NNCFTelemetry), 'openvino_telemetry' in sys.modules]))\n"
            ) % str(REPO)
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("CI", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    real, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert real is False and loaded is False   # NNCF's stub, which sends nothing
    assert not list(tmp_path.iterdir())   # nothing written under the home directory


def test_openvino_is_imported_without_telemetry(tmp_path):
    """A plain ``import openvino`` sent a Google Analytics event from every process (as it ended) and
    wrote ~/intel/: the runtime's first use, and NNCF's import after it, reach no network and write
    nothing at home."""
    code = ("import sys\n"
            "def hook(event, args):\n"
            "    if event.split('.')[0] in ('socket', 'urllib', 'http'):\n"
            "        print('network:', event, file=sys.stderr, flush=True)\n"
            "sys.addaudithook(hook)\n"
            "sys.path.insert(0, %r)\n"
            "from models.onnx_graphs import runtime, precision\n"
            "from models.int8 import _import_nncf\n"
            "print(runtime(), precision(), 'openvino_telemetry' in sys.modules)\n"
            "_import_nncf()\n"
            ) % str(REPO)
    env = {**os.environ, "HOME": str(tmp_path), "CLAIMSTANCE_RUNTIME": "auto"}
    env.pop("CI", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split()[0] == "openvino" and done.stdout.split()[-1] == "False"
    assert "network:" not in done.stderr
    assert not list(tmp_path.iterdir())   # no ~/intel/openvino_ga_cid, no ~/intel/stats


def test_onnx_runtime_runs_without_telemetry(tmp_path):
    """ONNX Runtime (CLAIMSTANCE_RUNTIME=onnxruntime, or no OpenVINO) wrote a usage event with the
    machine's details under ~/.cache/Microsoft and looked up its collector: nothing at home now."""
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "g.onnx"))
    home = tmp_path / "home"
    home.mkdir()
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from models.onnx_graphs import OnnxRuntimeSession\n"
            "print(OnnxRuntimeSession(%r).output_widths())\n") % (str(REPO), str(tmp_path / "g.onnx"))
    env = {**os.environ, "HOME": str(home)}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[2]"
    assert not list(home.iterdir())


def test_a_failed_compile_with_the_cache_compiles_again_without_it(tmp_path, monkeypatch):
    """Two processes compiling one graph at once: OpenVINO failed in the one whose blob the other
    deleted (seen with two stance prelabel on a fresh cache), and its encoder fell back to bfloat16."""
    import onnx
    from onnx import TensorProto, helper

    import models.onnx_graphs as graphs

    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "g.onnx"))
    real = graphs._openvino_core()
    calls = []

    class Racing:   # the real core, failing as OpenVINO did when the blob it wrote was deleted under it
        def compile_model(self, path, device, config):
            calls.append("CACHE_DIR" in config)
            if "CACHE_DIR" in config:
                raise RuntimeError("filesystem error: cannot set permissions: No such file or directory")
            return real.compile_model(path, device, config)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(graphs, "_openvino_core", lambda: Racing())
    session = graphs.OpenVinoSession(tmp_path / "g.onnx")
    assert calls == [True, False] and session.output_widths() == [2]
    out = []
    session.run_all([(0, {"x": np.array([[-1.0, 2.0]], dtype=np.float32)})], lambda key, res: out.append(res[0]))
    np.testing.assert_allclose(out[0], [[0.0, 2.0]])
    # Its queue is kept, and serves the next run with the next sink: a queue dropped after each run left
    # OpenVINO's threads taking the GIL late, and at interpreter exit that aborted the process.
    queue = session._queue
    again = {}
    session.run_all([(k, {"x": np.array([[k - 1.0, 1.0]], dtype=np.float32)}) for k in range(5)],
                    lambda key, res: again.__setitem__(key, res[0].copy()))
    assert session._queue is queue and sorted(again) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(again[3], [[2.0, 1.0]])


def test_an_unwritable_cache_is_named_once(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "ro"))
    monkeypatch.setattr(models.int8, "_WARNED", set())
    for folder in ("onnx", "onnx/8ab1f60f78b0"):   # the classifier's, then the encoder's
        models.int8.warn_fallback(OSError(30, "Read-only file system", str(tmp_path / "ro" / folder)))
    models.int8.warn_fallback(RuntimeError("Exception from core.cpp:132:\nIncorrect weights in bin file!\n"))
    assert capsys.readouterr().err.splitlines() == [
        f"warning: the graphs' cache {tmp_path / 'ro'} cannot be written (Read-only file system); the model runs "
        "unquantised, slower (set CLAIMSTANCE_CACHE to a folder you can write)",
        "warning: the int8 graph could not be made (RuntimeError: Incorrect weights in bin file!); running in "
        "bfloat16 / float32 instead (set CLAIMSTANCE_INT8=0 to skip the attempt)"]
    # CLAIMSTANCE_CACHE a file (or a file where onnx/ goes): the cache named, not CLAIMSTANCE_INT8.
    monkeypatch.setenv("CLAIMSTANCE_CACHE", str(tmp_path / "afile"))
    models.int8.warn_fallback(NotADirectoryError(20, "Not a directory", str(tmp_path / "afile" / "onnx" / "x")))
    assert capsys.readouterr().err == (
        f"warning: the graphs' cache {tmp_path / 'afile'} cannot be written (Not a directory); the model runs "
        "unquantised, slower (set CLAIMSTANCE_CACHE to a folder you can write)\n")
