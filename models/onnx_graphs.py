"""Exported ONNX graphs of our models and what runs them.

A PyTorch model is exported once, with pooling and normalisation inside the graph, and kept in its
folder of the cache (``models.cache``), beside its static int8 version (``models.int8``). The graph
runs under OpenVINO (``runtime()``), in bfloat16 where the CPU has native support, or under ONNX
Runtime in float32 (without OpenVINO, or with CLAIMSTANCE_RUNTIME=onnxruntime); both sessions share
one API, and ``run_batches`` feeds either with length-bucketed batches tokenised by the Rust
``tokenizers``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import UserError
from models.base_model import quiet_transformers
from models.environment import setting

# ONNX Runtime (1.32) otherwise queues a usage event with the machine's details in
# ~/.cache/Microsoft/DeveloperTools/.onnxruntime when imported, and looks up its collector's address
# within seconds; OpenVINO's telemetry is hidden at import instead (``import_openvino``).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def mean_pool(hidden: Any, attention_mask: Any) -> Any:
    """Mean over the real tokens, unit length: the sentence embedding of this model family (and the
    features a classifier's graph returns)."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)


def export_graph(module: Any, example: tuple[Any, ...], path: Path, inputs: list[str], outputs: list[str],
                 axes: dict[str, dict[int, str]]) -> Path:
    """``module`` traced on ``example`` into an ONNX graph at ``path``, written atomically; ``axes``:
    the dynamic axes of each input and output."""
    import warnings

    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, example, str(tmp), dynamo=False, opset_version=17, input_names=inputs,
                              output_names=outputs, dynamic_axes=axes)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def export_onnx(model_dir: Path, path: Path, head: str = "embedding", trunk: int = 0) -> Path:
    """Export a PyTorch model to ONNX at ``path`` with pooling and normalisation inside the graph.

    ``head="embedding"``: the sentence encoder, one output ``embedding``. ``head="classifier"``: a
    sequence classifier, outputs ``logits`` and ``embedding`` (its last layer, mean-pooled, unit length),
    and with ``trunk`` k a third, ``hidden``: its hidden states after layer k (``models.shared``).
    """
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification

    quiet_transformers()
    classifier = head == "classifier"
    model = (AutoModelForSequenceClassification if classifier else AutoModel).from_pretrained(model_dir).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Any:
            if classifier:
                out = self.inner(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
                if trunk:
                    return out.logits, mean_pool(out.hidden_states[-1], attention_mask), out.hidden_states[trunk]
                return out.logits, mean_pool(out.hidden_states[-1], attention_mask)
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return mean_pool(hidden, attention_mask)

    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    mask = (ids > 0).long()
    outputs = ["logits", "embedding"] if classifier else ["embedding"]
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            **{name: {0: "batch"} for name in outputs}}
    if classifier and trunk:
        outputs.append("hidden")
        axes["hidden"] = {0: "batch", 1: "tokens"}
    return export_graph(Pooled(model), (ids, mask), path, ["input_ids", "attention_mask"], outputs, axes)


def runtime() -> str:
    """The runtime that runs exported graphs: $CLAIMSTANCE_RUNTIME (openvino or onnxruntime), else
    OpenVINO when it is installed, else ONNX Runtime."""
    choice = setting("CLAIMSTANCE_RUNTIME")
    if choice != "auto":
        return choice
    try:
        import_openvino()
    except ImportError:
        return "onnxruntime"
    return "openvino"


@contextmanager
def telemetry_hidden() -> Iterator[None]:
    """Within: ``import openvino_telemetry`` fails, so OpenVINO and NNCF, imported here, fall back to
    their telemetry stubs, which send nothing and write nothing under the home directory."""
    hidden = "openvino_telemetry" not in sys.modules
    if hidden:
        sys.modules["openvino_telemetry"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if hidden:
            del sys.modules["openvino_telemetry"]


def import_openvino() -> Any:
    """OpenVINO, imported with ``openvino_telemetry`` hidden. A plain ``import openvino`` (2026.4)
    sends a Google Analytics event ("ov import") on every run, and writes a client id and a usage
    count under ~/intel, unless the user has opted out."""
    if "openvino" in sys.modules:
        return sys.modules["openvino"]
    with telemetry_hidden():
        import openvino
    return openvino


@lru_cache(maxsize=1)
def _openvino_core() -> Any:
    return import_openvino().Core()


def bf16_supported() -> bool:
    """Whether OpenVINO can run bfloat16 matrix work natively on this CPU (AVX512-BF16 or AMX)."""
    return "BF16" in _openvino_core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


def precision() -> str:
    """The arithmetic OpenVINO runs in: bf16 where the CPU has it (unless $CLAIMSTANCE_PRECISION=f32)."""
    if setting("CLAIMSTANCE_PRECISION") == "f32" or not bf16_supported():
        return "f32"
    return "bf16"


def runtime_tag() -> str:
    """Runtime and precision in one word (``openvino-bf16``, ``onnxruntime``), as a session made now
    says it (``.runtime``) unless OpenVINO fails to compile the graph: embeddings cached on disk
    (``models.embedding_cache``, the bootstrap's anchors) are kept apart by it."""
    name = runtime()
    return f"openvino-{precision()}" if name == "openvino" else name


class OpenVinoSession:
    """An exported graph compiled by OpenVINO: ``output_widths`` and ``run_all``, as ``OnnxRuntimeSession``.

    Measured here on 4,000 short claims (2 cores with AVX512-BF16): the base MiniLM 2.5 s in bfloat16
    against 4.7 s under ONNX Runtime in float32, embeddings at cosine 0.99998 or more to float32; a
    fine-tuned classifier 2.2 s in bfloat16 (logits within 0.005 of float32). Static int8 graphs
    (``models.int8``) run here too, a third faster again.
    """

    def __init__(self, path: Path) -> None:
        core = _openvino_core()
        # Throughput mode: one stream a core, batches in flight at once, each on its own core; on
        # small batches of short claims 16% faster here than both cores on one batch at a time.
        # CACHE_DIR: the compiled graph is kept beside the exported one and read back next time,
        # 0.1 s against 0.5-0.7 s to compile a MiniLM again here.
        self.runtime = f"openvino-{precision()}"   # what made its outputs (``runtime_tag``)
        config = {"INFERENCE_PRECISION_HINT": precision(), "PERFORMANCE_HINT": "THROUGHPUT",
                  "INFERENCE_NUM_THREADS": max(1, os.cpu_count() or 1)}
        try:
            self._compiled = core.compile_model(str(path), "CPU", {**config, "CACHE_DIR": str(path.parent / "compiled")})
        except Exception:
            # OpenVINO's cache is not safe across processes: two stance commands compiling one graph
            # at once, one deletes as damaged the blob the other is still writing, whose compile then
            # fails ("cannot set permissions: No such file or directory"). Compiled again without it.
            self._compiled = core.compile_model(str(path), "CPU", config)
        self._jobs = max(1, int(self._compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
        # One queue for the session's life: a queue made for each run_all and dropped after it left
        # OpenVINO's threads taking the GIL once the run was over, late on a busy machine, and one that
        # did so while the interpreter was exiting aborted the process ("terminate called without an
        # active exception", exit status 134, outputs already written).
        self._queue: Any = None

    def output_widths(self) -> list[int]:
        widths = []
        for port in self._compiled.outputs:
            dim = port.get_partial_shape()[1]
            widths.append(dim.get_length() if dim.is_static else 0)
        return widths

    def run_all(self, batches: Iterable[tuple[Any, dict[str, np.ndarray]]],
                sink: Callable[[Any, list[np.ndarray]], None]) -> None:
        """Run every ``(key, feeds)`` batch, several at once; ``sink(key, outputs)`` gets each result
        (from OpenVINO's threads, one call at a time per key, in any order)."""
        ov = import_openvino()
        if self._queue is None:
            self._queue = ov.AsyncInferQueue(self._compiled, self._jobs)
        queue = self._queue
        outputs = range(len(self._compiled.outputs))
        errors: list[BaseException] = []
        sinks = [sink]  # emptied after the run: the kept queue holds ``done``, not what the sink holds

        def done(request: Any, key: Any) -> None:
            try:
                sinks[0](key, [request.get_output_tensor(i).data for i in outputs])
            except BaseException as err:  # raised on OpenVINO's thread: re-raised on ours below
                errors.append(err)

        queue.set_callback(done)
        try:
            for key, feeds in batches:
                queue.start_async(feeds, key)
        finally:  # nothing left in flight for the next run, whatever stopped this one
            queue.wait_all()
            sinks.clear()
        if errors:
            raise errors[0]


class OnnxRuntimeSession:
    """ONNX Runtime's session on all cores, with the API of ``OpenVinoSession``."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        self.runtime = "onnxruntime"
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = max(1, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def output_widths(self) -> list[int]:
        return [w if isinstance(w, int) else 0 for w in (out.shape[1] for out in self._session.get_outputs())]

    def run_all(self, batches: Iterable[tuple[Any, dict[str, np.ndarray]]],
                sink: Callable[[Any, list[np.ndarray]], None]) -> None:
        """Run every ``(key, feeds)`` batch in turn; ``sink(key, outputs)`` gets each result."""
        for key, feeds in batches:
            sink(key, self._session.run(None, feeds))


def _session(path: Path) -> OpenVinoSession | OnnxRuntimeSession:
    """The graph at ``path`` ready to run, under ``runtime()``; an OpenVINO graph (``.xml``, the
    int8 graphs of ``models.int8``) under OpenVINO."""
    if path.suffix == ".xml":
        return OpenVinoSession(path)
    if runtime() == "onnxruntime":
        return OnnxRuntimeSession(path)
    try:
        return OpenVinoSession(path)
    except Exception:  # a CPU or graph OpenVINO cannot compile for: ONNX Runtime gives the same outputs
        if os.environ.get("CLAIMSTANCE_RUNTIME") == "openvino":
            raise
        return OnnxRuntimeSession(path)


def _tokenizer(model_dir: Path, max_length: int) -> Any:
    from tokenizers import Tokenizer

    tokenizer_file = model_dir / "tokenizer.json"
    if not tokenizer_file.exists():
        raise UserError(f"{model_dir}: no tokenizer.json; use the PyTorch backend for this model")
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


# Texts tokenised at once, and batches per ``run_all`` call. Tokenising a whole input at once held every
# text's encoding and its ids as Python lists (~4 KB a claim); with both limits the base encoder's peak on
# 40,000 claims fell from 1.42 GB to 1.19 GB (what remains is mostly the runtime's, growing with the
# batches' token width). The batches are the same either way (same texts, same order, same outputs).
TOKENISE_CHUNK = 4096
RUN_CHUNK = 64


def tokenise(tokenizer: Any, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The token ids of ``texts``, ``TOKENISE_CHUNK`` at a time (Rust, parallel), in one int32 array:
    ``(flat, lengths, ends)``, text i's ids being ``flat[ends[i] - lengths[i]:ends[i]]``."""
    # Tokens past the truncation point are dropped anyway: a text far longer than it can hold is
    # cut first (at 32 characters a token, beyond any real text), so a pasted document costs no
    # gigabytes in the tokenizer and every ordinary text is tokenised exactly as before.
    keep = 32 * int((tokenizer.truncation or {}).get("max_length") or 512)
    lengths = np.zeros(len(texts), dtype=np.int64)
    parts = []
    for start in range(0, len(texts), TOKENISE_CHUNK):
        ids = [enc.ids for enc in tokenizer.encode_batch([t[:keep] for t in texts[start:start + TOKENISE_CHUNK]])]
        lengths[start:start + len(ids)] = [len(x) for x in ids]
        parts.append(np.fromiter(chain.from_iterable(ids), dtype=np.int32, count=sum(len(x) for x in ids)))
    return np.concatenate(parts), lengths, np.cumsum(lengths)


def padded(rows: list[Any]) -> dict[str, np.ndarray]:
    """Token id rows as a graph takes them: ``input_ids`` padded with 0 to the longest row, and its
    ``attention_mask``."""
    width = max(len(row) for row in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, :len(row)] = row
        mask[i, :len(row)] = 1
    return {"input_ids": ids, "attention_mask": mask}


def run_batches(session: Any, tokenizer: Any, texts: list[str], widths: list[int], batch_size: int = 64,
                progress: bool = False) -> list[np.ndarray]:
    """Run an exported graph over ``texts`` in length-bucketed batches; outputs back in input order.

    Everything is tokenised once (Rust, parallel; ``TOKENISE_CHUNK`` texts at a time, the ids kept in
    one int32 array), then batched by token count over the whole input: each batch pads only to its
    own longest text, and no text is tokenised twice. The batches run ``RUN_CHUNK`` to a ``run_all``
    call. ``widths``: each output's row width.
    """
    outs = [np.zeros((len(texts), width), dtype=np.float32) for width in widths]
    if not texts:
        return outs
    flat, lengths, ends = tokenise(tokenizer, texts)
    order = np.argsort(lengths, kind="stable")
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), desc="embedding", unit="claim", leave=False, disable=None)
    def batches(first: int, last: int) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        for start in range(first, last, batch_size):
            idx = order[start:start + batch_size]
            yield idx, padded([flat[ends[i] - lengths[i]:ends[i]] for i in idx])

    def sink(idx: np.ndarray, results: list[np.ndarray]) -> None:
        for out, result in zip(outs, results):
            out[idx] = result
        if bar is not None:
            bar.update(len(idx))

    step = RUN_CHUNK * batch_size
    for first in range(0, len(order), step):
        session.run_all(batches(first, min(first + step, len(order))), sink)
    if bar is not None:
        bar.close()
    return outs
