"""Static int8 graphs: an exported ONNX graph quantised by NNCF for OpenVINO, once per model.

Post-training quantisation: weights and activations in int8, the activations' ranges measured on a
fixed calibration set (the sentences of the bundled sample corpus and the default scheme's
descriptions and examples), so the same graph comes out every time; its file name carries a hash of
the files that set is read from and of NNCF's version, so a change to either quantises again. NNCF's
transformer preset (``ModelType.TRANSFORMER``) leaves the operations it knows to be sensitive in
floating point.

Measured here (2 cores with AVX512-BF16 and VNNI) on 8,000 short claims, each MiniLM pass 5.6-5.9 s
against 8.2-8.7 s in bfloat16; embeddings at cosine 0.998 (mean) to bfloat16. Quantising one model
takes 7-10 s and is kept beside its exported graph.

NNCF is imported only here, and without ``openvino_telemetry``: NNCF then sends no usage data.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError

CALIBRATION_BATCH = 8


def wanted() -> bool:
    """Whether exported graphs of fine-tuned models run in int8: $CLAIMSTANCE_INT8 (auto, 1 or 0).

    ``auto`` (the default): under OpenVINO when NNCF is installed. ``1`` insists (an error names what
    is missing), ``0`` keeps bfloat16 / float32.
    """
    from models.environment import setting

    choice = setting("CLAIMSTANCE_INT8")
    if choice == "0":
        return False
    from models.onnx_graphs import runtime

    usable = runtime() == "openvino" and _nncf_installed()
    if choice == "1" and not usable:
        raise UserError("CLAIMSTANCE_INT8=1 needs OpenVINO and NNCF (pip install openvino nncf) and "
                        "CLAIMSTANCE_RUNTIME other than onnxruntime; or set CLAIMSTANCE_INT8=0")
    return usable


def _nncf_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("nncf") is not None


CALIBRATION_SCHEME = "kremlin_framing"


def _calibration_sources() -> list[Path]:
    """The files the calibration set is read from: the sample corpus's texts and the default scheme."""
    from models.schemes import scheme_path

    folder = Path(__file__).resolve().parents[1] / "corpus" / "sample"
    return [*sorted(folder.glob("*.txt")), scheme_path(CALIBRATION_SCHEME)]


def calibration_texts() -> list[str]:
    """The fixed calibration set: the sample corpus's sentences, then the default scheme's label
    descriptions and example claims."""
    from corpus.sentences import split_sentences
    from models.schemes import load_scheme

    texts: list[str] = []
    for path in _calibration_sources()[:-1]:
        text = path.read_text(encoding="utf-8")
        texts.extend(text[s:e] for s, e in split_sentences(text))
    for label in load_scheme(CALIBRATION_SCHEME).labels:
        texts.append(label.description)
        texts.extend(label.examples)
    return [t for t in texts if t.strip()]


def _calibration_feeds(tokenizer: Any, texts: list[str]) -> list[dict[str, np.ndarray]]:
    """``texts`` as the runtime feeds them: batches of ``CALIBRATION_BATCH``, each padded to its
    longest text."""
    from models.onnx_graphs import padded

    return [padded([enc.ids for enc in tokenizer.encode_batch(texts[start:start + CALIBRATION_BATCH])])
            for start in range(0, len(texts), CALIBRATION_BATCH)]


def _import_nncf() -> Any:
    """NNCF, imported with ``openvino_telemetry`` hidden (as OpenVINO is: ``import_openvino``): its
    telemetry then falls back to a stub that sends nothing (and writes no client id under the home
    directory)."""
    from models.onnx_graphs import import_openvino, telemetry_hidden

    if "nncf" in sys.modules:
        return sys.modules["nncf"]
    import_openvino()
    with telemetry_hidden():
        import nncf
    nncf.set_log_level(logging.ERROR)
    return nncf


def quantise(onnx_path: Path, out: Path, tokenizer: Any, what: str = "model",
             feeds: Callable[[list[dict[str, np.ndarray]]], list[dict[str, np.ndarray]]] | None = None) -> Path:
    """Quantise the graph at ``onnx_path`` to static int8 for OpenVINO; written to ``out`` (``.xml``
    and its ``.bin``) atomically: the ``.xml``, which readers look for, is renamed into place last.
    ``feeds``, for a graph whose inputs are not token ids (``models.shared``): the calibration batches
    as that graph takes them, made from the batches of token ids."""
    texts = calibration_texts()
    print(f"int8: quantising the {what} once ({len(texts)} calibration sentences, about 10 s)",
          file=sys.stderr, flush=True)
    nncf = _import_nncf()
    from models.onnx_graphs import _openvino_core, import_openvino

    ov = import_openvino()
    model = _openvino_core().read_model(str(onnx_path))
    batches = _calibration_feeds(tokenizer, texts)
    if feeds is not None:
        batches = feeds(batches)
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):  # NNCF's progress bars
        quantised = nncf.quantize(model, nncf.Dataset(batches), model_type=nncf.ModelType.TRANSFORMER,
                                  subset_size=len(batches))
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.tmp.xml")
    try:
        ov.save_model(quantised, str(tmp), compress_to_fp16=False)
        os.replace(tmp.with_suffix(".bin"), out.with_suffix(".bin"))
        os.replace(tmp, out)
    finally:
        for leftover in (tmp, tmp.with_suffix(".bin")):
            if leftover.exists():
                leftover.unlink()
    return out


def _int8_path(onnx_path: Path) -> Path:
    """Where the int8 graph of ``onnx_path`` lives: beside it, ``NAME.int8-KEY.xml`` (KEY from the
    calibration set's files and NNCF's version)."""
    return onnx_path.with_name(f"{onnx_path.stem}.int8-{_calibration_key()}.xml")


def int8_session(onnx_path: Path, tokenizer: Any, what: str = "model",
                 feeds: Callable[[list[dict[str, np.ndarray]]], list[dict[str, np.ndarray]]] | None = None
                 ) -> tuple[Path, Any]:
    """The int8 graph of ``onnx_path`` (``_int8_path``), quantised on first use, compiled to run
    (``models.onnx_graphs._session``). A graph in the cache that OpenVINO cannot read (a truncated
    copy, a disk that filled up) is quantised again, with a line on stderr, instead of every later run
    falling back to bfloat16."""
    from models.onnx_graphs import _session

    out = _int8_path(onnx_path)
    if out.exists() and out.with_suffix(".bin").exists():
        try:
            return out, _session(out)
        except Exception as err:
            print(f"int8: {out} could not be read ({one_line(err)}); quantising it again", file=sys.stderr,
                  flush=True)
    quantise(onnx_path, out, tokenizer, what, feeds)
    session = _session(out)
    from models.cache import fit_bound

    fit_bound()   # the int8 graph (and its compiled form) just made count in the cache's bound
    return out, session


def _calibration_key() -> str:
    """Eight hex digits of the files the calibration set is read from and of NNCF's version (the
    files' bytes, not the parsed set: hashing them costs no parse on every run)."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha1(version("nncf").encode("utf-8"))
    for path in _calibration_sources():
        digest.update(b"\x00" + path.read_bytes())
    return digest.hexdigest()[:8]


def one_line(err: BaseException) -> str:
    """``err`` as one line: OpenVINO's errors span several, the last one saying what went wrong."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return f"{type(err).__name__}: {lines[-1] if lines else ''}".rstrip(": ")


_WARNED: set[str] = set()


def int8_or_not(make: Callable[[bool], Any], int8: bool) -> Any:
    """``make(True)``, a model's graphs in static int8, when ``int8`` and they can be made; else
    ``make(False)``, the exported graphs as they are (with one warning line when quantising failed)."""
    if int8:
        try:
            return make(True)
        except UserError:  # the user's own setting is wrong: said as it is, not as a fallback
            raise
        except Exception as err:  # the quantiser failed: the exported graphs, a little slower
            warn_fallback(err)
    return make(False)


def warn_fallback(err: BaseException) -> None:
    """One line on stderr when quantising, or compiling its graph, failed and the exported graph runs
    instead; a cache folder that cannot be written is named as the cause, once a process."""
    import errno

    if isinstance(err, OSError) and err.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.ENOTDIR):
        from models.cache import cache_dir

        line = (f"warning: the graphs' cache {cache_dir()} cannot be written ({err.strerror}); the model runs "
                "unquantised, slower (set CLAIMSTANCE_CACHE to a folder you can write)")
    else:
        line = (f"warning: the int8 graph could not be made ({one_line(err)}); running in bfloat16 / float32 "
                "instead (set CLAIMSTANCE_INT8=0 to skip the attempt)")
    if line not in _WARNED:
        _WARNED.add(line)
        print(line, file=sys.stderr)
