"""Time `stance push` of N pre-labelled claims (default 10,000), whole command, against a bare import.

    .venv/bin/python benchmarks/bench_studio.py [--claims ../shared/data/claim-retrieval-claims.jsonl]
        [--n 10000] [--chunk 1000] [--workspace DIR | --port P] [--keep] [--changed N] [--gone N]

The claim texts are the fact-checked claims of the claim-retrieval data (real sentence lengths),
twenty a document, each with a paragraph made of its neighbours as context; the pre-labels
(prediction, score, probs, model_version) are drawn from a seeded generator. Nothing is committed.
Without --workspace it starts a fresh Label Studio in a temporary workspace, on a free port (--port:
that one), timed (the first start runs the migrations), and stops it at the end. The temporary
folder (the claims file, that workspace) is removed at the end; --keep leaves it, and the server,
as they are.

--plain-server runs Label Studio as shipped (no studio_server.py) to show what that speed-up buys.

Printed: server start, the whole `stance push` command into a new project (process start, reading,
validating, importing, switching the model version), the baseline measured in the same run (the
SDK's bulk `import_tasks` of the same tasks in chunks of the same size into another project: the
server's floor), their ratio, and a re-push (reads the project back, adds nothing). The target is a
push of 10,000 claims in 20 s. The machine is shared, so the ratio is the steadier figure.

--changed N then makes N of the claims again as a corrected document would (their paragraph gains a
sentence; every fifth also gets another pre-label), pushes them (each such task, nobody having
labelled it, is updated in place) and pushes once more (nothing to update), both timed.

--gone N then leaves N claims out of the file, spread over its documents (each keeps the others), as
a corrected splitter or an edited document would: a push names them (timed: the cost of finding
them), a push with --prune deletes them (timed), and the tasks left are counted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from annotate import labelconfig as lc  # noqa: E402
from annotate import studio  # noqa: E402
from annotate.push import claim_to_task, find_project  # noqa: E402
from models.schemes import load_scheme  # noqa: E402

DEFAULT_CLAIMS = REPO.parent / "shared" / "data" / "claim-retrieval-claims.jsonl"
STANCE = REPO / ".venv" / "bin" / "stance"
OUTLETS = [("rt.com", "state_media"), ("tass.com", "state_media"), ("reuters.com", "independent"),
           ("bbc.co.uk", "independent"), ("meduza.io", "independent")]


def prelabelled_rows(texts: list[str], label_ids: list[str], seed: int = 13) -> list[dict]:
    """Claim rows shaped like `stance prelabel` output, twenty a document."""
    rng = random.Random(seed)
    rows = []
    for i, text in enumerate(texts):
        doc = i // 20
        neighbours = texts[max(0, i - 1):i + 2]
        context = " ".join(neighbours)
        context_start = 1000 * (i % 20)
        offset = context.index(text)
        probs = [rng.random() for _ in label_ids]
        total = sum(probs)
        probs = {label: p / total for label, p in zip(label_ids, probs)}
        best = max(probs, key=probs.get)
        outlet, source_type = OUTLETS[doc % len(OUTLETS)]
        rows.append({
            "claim_id": f"bench{i:06d}", "doc_id": f"benchdoc{doc:05d}", "text": text,
            "start": context_start + offset, "end": context_start + offset + len(text), "is_claim": True,
            "reason": "", "speaker": "author", "speaker_name": None, "context": context,
            "context_start": context_start, "paragraph": i % 20, "sentence": 1,
            "title": f"Benchmark document {doc}", "outlet": outlet, "author": None, "date": "2024-01-01",
            "source_type": source_type, "prediction": best, "score": probs[best], "probs": probs,
            "model_version": "bench-1",
        })
    return rows


def _timed(command: list[str], what: str, whole: bool = False) -> float:
    """Seconds one push took; its summary printed (``whole``: all of it, else its first line)."""
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ))
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"{what} failed: {done.stderr.strip()}")
    print(done.stdout.strip() if whole else done.stdout.strip().splitlines()[0])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", default=str(DEFAULT_CLAIMS), help="JSONL with a `text` field")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=2500, help="tasks a request, for the baseline")
    parser.add_argument("--workspace", default=None, help="use this workspace's server (started if needed)")
    parser.add_argument("--port", type=int, default=None,
                        help="port of the temporary server started without --workspace (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="leave the temporary server running, and its folder")
    parser.add_argument("--changed", type=int, default=0, help="then re-push with this many claims made again")
    parser.add_argument("--gone", type=int, default=0, help="then leave this many claims out and prune them")
    parser.add_argument("--plain-server", action="store_true",
                        help="run label-studio as shipped, without studio_server.py's faster task counters")
    args = parser.parse_args()
    if args.port is not None and args.workspace:
        parser.error("--port is the temporary server's: leave it out with --workspace (its server keeps its port)")
    if args.plain_server:
        studio._launcher = lambda binary: [binary]

    texts = [json.loads(line)["text"] for line in Path(args.claims).open(encoding="utf-8") if line.strip()]
    if len(texts) < args.n:
        sys.exit(f"{args.claims}: {len(texts)} claims, fewer than --n {args.n}")
    scheme = load_scheme("kremlin_framing")
    rows = prelabelled_rows(texts[:args.n], [label.id for label in scheme.labels])

    tmp = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    workspace = Path(args.workspace) if args.workspace else tmp / "workspace"
    try:   # tmp (the claims file, a temporary server's workspace) is removed at the end unless --keep
        path = tmp / "prelabelled.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        print(f"{args.n} pre-labelled claims written to {path} ({path.stat().st_size / 1e6:.1f} MB)")

        port = args.port
        if port is None and not args.workspace:   # a free port, so a server already on 8080 is left alone
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        began = time.perf_counter()
        info = studio.start(workspace, port=port)
        start_s = time.perf_counter() - began
        print(f"server: {'already running' if info['already_running'] else 'started'} in {start_s:.1f} s "
              f"at {info['url']}")
        stamp = time.strftime("%H%M%S")
        # Baseline: the SDK's bulk import of the very same tasks, chunked, into a project of its own.
        client, _ = studio.connect(workspace)
        tasks = [claim_to_task(row, scheme) for row in rows]
        project = client.projects.create(title=f"bench baseline {stamp}", label_config=lc.label_config(scheme))
        began = time.perf_counter()
        for i in range(0, len(tasks), args.chunk):
            client.projects.import_tasks(id=project.id, request=tasks[i:i + args.chunk])
        baseline_s = time.perf_counter() - began

        command = [str(STANCE), "push", "--in", str(path), "--project", f"bench push {stamp}",
                   "--workspace", str(workspace)]
        push_s = _timed(command, "stance push", whole=True)
        repush_s = _timed(command, "second stance push")
        refresh_s = refresh_again_s = named_s = pruned_s = None
        if args.changed:
            changed = [dict(row) for row in rows]
            labels = [label.id for label in scheme.labels]
            for i, row in enumerate(changed[:args.changed]):
                row["context"] = row["context"] + " A sentence the corrected document adds."
                if i % 5 == 0:
                    row["prediction"] = labels[(labels.index(row["prediction"]) + 1) % len(labels)]
            path.write_text("".join(json.dumps(row) + "\n" for row in changed), encoding="utf-8")
            refresh_s = _timed(command, "stance push of the changed claims")
            refresh_again_s = _timed(command, "stance push once more")
        if args.gone:
            kept_rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            step = max(1, len(kept_rows) // args.gone)
            dropped = set(range(step - 1, len(kept_rows), step)[:args.gone])
            path.write_text("".join(json.dumps(row) + "\n" for i, row in enumerate(kept_rows) if i not in dropped),
                            encoding="utf-8")
            named_s = _timed(command, f"stance push, {len(dropped)} claims gone", whole=True)
            pruned_s = _timed(command + ["--prune"], "stance push --prune", whole=True)
            left = client.projects.get(id=find_project(client, f"bench push {stamp}").id).task_number
            print(f"tasks left after --prune: {left} (expected {len(kept_rows) - len(dropped)})")
        load = os.getloadavg()[0]
    finally:
        if not args.keep:
            if not args.workspace:
                studio.stop(workspace)
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{'measure':46} {'seconds':>8}")
    print(f"{'server start (fresh workspace: migrations)':46} {start_s:8.1f}")
    print(f"{'baseline: SDK import_tasks, chunks of ' + str(args.chunk):46} {baseline_s:8.1f}")
    print(f"{'stance push, whole command':46} {push_s:8.1f}")
    print(f"{'stance push again (adds nothing)':46} {repush_s:8.1f}")
    if refresh_s is not None:
        print(f"{f'stance push, {args.changed} claims made again':46} {refresh_s:8.1f}")
        print(f"{'stance push once more (nothing to update)':46} {refresh_again_s:8.1f}")
    if named_s is not None:
        print(f"{f'stance push, {args.gone} claims gone (named)':46} {named_s:8.1f}")
        print(f"{f'stance push --prune ({args.gone} deleted)':46} {pruned_s:8.1f}")
    print(f"ratio push / baseline: {push_s / baseline_s:.2f}; target {args.n} claims in 20 s: "
          f"{'met' if push_s <= 20 else 'NOT met'}; load average {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
