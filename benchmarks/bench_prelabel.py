"""Speed of `stance prelabel` (whole process) against a plain transformers loop, in the same run.

Generates N short claims (deterministic, self-made from templates), times the whole command
``stance prelabel --in claims.jsonl --out out.jsonl`` as a subprocess (start-up, reading, embedding,
the labellers, the end model, writing), then a plain loop over the same claims: the same model with
transformers (AutoModel and mean pooling for the bootstrap; AutoModelForSequenceClassification on the
``--model`` directory), batches of 64 in input order (no length sorting). The plain
loop is timed without its start-up, which flatters the baseline. Prints claims/s and the ratio.

With ``--claims FILE.jsonl`` the texts come from that file instead, repeated in order up to N (each
copy marked so no two texts are equal): with a model trained on that file's kind of claims, every
claim then counts as in domain, the case where the network runs on all of them.

Every printed figure goes to benchmarks/results/bench_prelabel-YYYYmmdd-HHMMSS.json too, with the
command, the git commit and the host's load at the start (see benchmarks/_record.py).

    python benchmarks/bench_prelabel.py [--n 8000] [--model MODEL_DIR] [--claims FILE] [--int8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _record import run_context, write_results  # noqa: E402

SUBJECTS = ["The ministry", "Officials", "The governor", "Residents", "The army", "Kyiv", "Moscow",
            "The European Union", "NATO", "The mayor", "Analysts", "The Kremlin", "Ukraine's president",
            "Western allies", "The UN nuclear watchdog", "Local authorities", "The defence minister"]
VERBS = ["said", "denied", "announced", "warned", "reported", "claimed", "confirmed", "promised"]
OBJECTS = ["that the bridge was damaged overnight", "new sanctions on energy exports",
           "that talks would resume next week", "a strike on a fuel depot", "more air defence systems",
           "that the plant lost external power", "the evacuation of civilians from the town",
           "that grain shipments would continue", "heavy fighting near the front line",
           "a prisoner exchange", "that the referendum was illegitimate", "the arrest of two journalists",
           "a ceasefire around the port", "losses among its troops", "a shortage of winter fuel"]
PLACES = ["Kharkiv", "Odesa", "Donetsk", "Kherson", "Zaporizhzhia", "Mariupol", "Dnipro", "Lviv", "Sumy",
          "Poltava", "Mykolaiv", "Chernihiv", "Belgorod", "Kursk", "Crimea", "Bakhmut", "Izium", "Melitopol",
          "Vinnytsia", "Rivne"]
TAILS = ["", "", " on Monday", " late on Friday", ", according to a statement", " in a video address",
         ", officials said", " after a meeting in Brussels"]


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_claims(n: int, seed: int = 0) -> list[dict]:
    """``n`` short claims from templates; the same ``n`` and seed give the same claims."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        place = f" in {rng.choice(PLACES)}" if rng.random() < 0.7 else ""
        text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{place}{rng.choice(TAILS)}."
        rows.append({"claim_id": f"c{i:05d}", "doc_id": f"d{i // 20:04d}", "text": text, "speaker": "author"})
    return rows


def claims_from(path: str, n: int) -> list[dict]:
    """``n`` claims cycling through the texts of a JSONL file; copies after the first end " (k)"."""
    from corpus.files import read_jsonl

    texts = [str(r["text"]) for r in read_jsonl(path)]
    return [{"claim_id": f"c{i:05d}", "doc_id": f"d{i // 20:04d}", "speaker": "author",
             "text": texts[i % len(texts)] + (f" ({i // len(texts)})" if i >= len(texts) else "")}
            for i in range(n)]


def plain_loop(texts: list[str], batch_size: int = 64, model_dir: str | None = None) -> float:
    """Seconds for the plain transformers loop (model loaded before the clock starts).

    With ``model_dir`` (a `stance train` directory): AutoModelForSequenceClassification on it, softmax
    of the logits; without: the base MiniLM with AutoModel and mean pooling (what the bootstrap embeds).
    """
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

    from models.base_model import base_model_dir

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if model_dir is not None:
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        classifier = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
        start = time.perf_counter()
        with torch.no_grad():
            for i in range(0, len(texts), batch_size):
                enc = tokenizer(texts[i:i + batch_size], padding=True, truncation=True, return_tensors="pt")
                torch.softmax(classifier(**enc).logits, dim=-1).numpy()
        return time.perf_counter() - start
    tokenizer = AutoTokenizer.from_pretrained(base_model_dir())
    model = AutoModel.from_pretrained(base_model_dir()).eval()
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            enc = tokenizer(texts[i:i + batch_size], padding=True, truncation=True, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            torch.nn.functional.normalize(pooled, dim=1).numpy()
    return time.perf_counter() - start


def int8_check(rows: list[dict]) -> dict[str, float]:
    """Would dynamic int8 quantisation (ONNX Runtime, per-channel) be worth it? Speed, cosine
    agreement with float32, and agreement of the bootstrap's predictions, on the same claims;
    printed and returned."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    from models.bootstrap import Bootstrap
    from models.encoder import OnnxEncoder
    from models.schemes import load_scheme

    logging.disable(logging.WARNING)  # the quantiser's advice to pre-process the graph
    os.environ["CLAIMSTANCE_RUNTIME"] = "onnxruntime"  # int8 against float32, both under ONNX Runtime
    fp32 = OnnxEncoder()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "encoder.int8.onnx"
        quantize_dynamic(str(fp32.onnx_path), str(path), per_channel=True, weight_type=QuantType.QInt8)
        int8 = OnnxEncoder(onnx_path=path)
        texts = [r["text"] for r in rows]
        timings, embeddings, predictions = {}, {}, {}
        for name, encoder in (("fp32", fp32), ("int8", int8)):
            start = time.perf_counter()
            embeddings[name] = encoder.encode(texts)
            timings[name] = time.perf_counter() - start
            predictions[name] = Bootstrap(load_scheme("kremlin_framing"), encoder=encoder).predict_proba(rows).argmax(1)
    cos = (embeddings["fp32"] * embeddings["int8"]).sum(axis=1)
    same = float((predictions["fp32"] == predictions["int8"]).mean())
    print(f"int8 vs fp32 (ONNX Runtime): {timings['fp32'] / timings['int8']:.2f}x faster, cosine mean "
          f"{cos.mean():.4f} min {cos.min():.4f}, same bootstrap prediction for {same:.1%} of claims")
    return {"claims": len(rows), "fp32_seconds": timings["fp32"], "int8_seconds": timings["int8"],
            "speedup": timings["fp32"] / timings["int8"], "cosine_mean": float(cos.mean()),
            "cosine_min": float(cos.min()), "same_prediction": same}


def main(argv=None) -> int:
    context = run_context(argv)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=8000)
    ap.add_argument("--model", default=None, help="a `stance train` directory (default: the bootstrap)")
    ap.add_argument("--claims", default=None, help="take the texts from this JSONL file instead of templates")
    ap.add_argument("--int8", action="store_true", help="also measure int8 quantisation's speed and agreement")
    args = ap.parse_args(argv)

    rows = claims_from(args.claims, args.n) if args.claims else make_claims(args.n)
    stance = Path(sys.executable).with_name("stance")
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "claims.jsonl", Path(tmp) / "out.jsonl"
        inp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        cmd = [str(stance), "prelabel", "--in", str(inp), "--out", str(out)]
        if args.model:
            cmd += ["--model", args.model]
        # Warm-up on a few claims: the one-off ONNX export and the OS file cache are not per-run costs.
        warm = Path(tmp) / "warm.jsonl"
        warm.write_text("".join(json.dumps(r) + "\n" for r in rows[:8]), encoding="utf-8")
        subprocess.run([*cmd[:3], str(warm), "--out", str(Path(tmp) / "warm.out.jsonl"), *cmd[6:]],
                       check=True, capture_output=True)
        cpu_before = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        whole = time.perf_counter() - start
        whole_cpu = _children_cpu() - cpu_before
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        written = sum(1 for _ in out.open(encoding="utf-8"))
    assert written == len(rows), (written, len(rows))
    cpu_before = time.process_time()
    base = plain_loop([r["text"] for r in rows], model_dir=args.model)
    base_cpu = time.process_time() - cpu_before
    ours, theirs = len(rows) / whole, len(rows) / base
    print(f"{len(rows)} claims ({len({r['text'] for r in rows})} distinct), {os.cpu_count()} cores")
    print(f"stance prelabel, whole process: {whole:6.1f} s  {ours:7.0f} claims/s")
    what = "AutoModelForSequenceClassification on --model" if args.model else "AutoModel, mean pooling"
    print(f"plain transformers loop ({what}; 64, unsorted, model load excluded): {base:6.1f} s  {theirs:7.0f} claims/s")
    print(f"ratio: {ours / theirs:.2f}x")
    # CPU seconds are less sensitive than wall time to other jobs sharing the cores.
    print(f"CPU time: stance prelabel {whole_cpu:.1f} s, plain loop {base_cpu:.1f} s (incl. model load); "
          f"ratio {base_cpu / whole_cpu:.2f}x")
    predictions = done.stdout.strip().splitlines()[-2]
    print(predictions)
    record = {**context, "arguments": vars(args), "claims": len(rows), "distinct": len({r["text"] for r in rows}),
              "prelabel": {"seconds": whole, "claims_per_second": ours, "cpu_seconds": whole_cpu},
              "plain_loop": {"what": what, "seconds": base, "claims_per_second": theirs, "cpu_seconds": base_cpu},
              "ratio": ours / theirs, "cpu_ratio": base_cpu / whole_cpu, "prelabel_predictions": predictions}
    if args.int8:
        record["int8"] = int8_check(rows[:2000])
    path = write_results("bench_prelabel", record)
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
