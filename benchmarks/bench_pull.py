"""Time `stance pull` on a project of N annotated tasks (default 10,000), whole command.

    .venv/bin/python benchmarks/bench_pull.py [--n 10000] [--workspace DIR | --url URL | --port P] [--keep]
        [--plain-server | --compare-plain]

Without --workspace or --url it starts a fresh Label Studio in a temporary workspace, on a free port
(--port: that one; a server already on 8080 is left alone), and stops it at the end (a first start
runs the migrations: about 40 s, not counted). That workspace and the pulled files are removed at
the end; --keep leaves them (and the server). The tasks are synthetic claims (no corpus data),
imported WITH their annotation and prediction in the import payload, so setting up 10,000 takes
seconds. 70% of the annotations accept the pre-label, the rest change it.

Printed: the import time, a baseline (the same snapshot export alone, parsed: the server's floor
that any pull pays), the whole `stance pull` command, and their ratio (the machine is shared,
so the ratio is the steadier figure). The target is a pull of 10,000 annotated tasks in 20 s.

--plain-server runs Label Studio as shipped (no studio_server.py). --compare-plain measures the
server started here with studio_server.py, then restarts it as shipped on the same data and measures
again, and prints the ratio of the two whole pulls (what the launcher's export patch buys).
"""

from __future__ import annotations

import argparse
import atexit
import os
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
from annotate.pull import export_tasks  # noqa: E402
from annotate.push import claim_to_task  # noqa: E402
from models.schemes import load_scheme  # noqa: E402

CHUNK = 2500


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process (all its threads), from /proc; None when unknown."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def synthetic_claims(n: int, label_ids: list[str]) -> list[dict]:
    """N pre-labelled claim rows, 20 a document, made up here."""
    rows = []
    for i in range(n):
        rows.append({
            "claim_id": f"bench{i:06d}", "doc_id": f"bench-doc-{i // 20:05d}",
            "text": f"Synthetic claim number {i}: the ministry said the programme would cost {i % 97} million.",
            "context": None, "title": f"Bench document {i // 20}", "outlet": f"Outlet {i % 7}",
            "speaker": "author", "speaker_name": None, "is_claim": True,
            "prediction": label_ids[i % len(label_ids)], "score": 0.5 + (i % 50) / 100, "model_version": "bench-1",
        })
    return rows


def annotated_task(row: dict, scheme, user_id: int, label_ids: list[str], i: int) -> dict:
    task = claim_to_task(row, scheme)
    accept = i % 10 < 7
    label = row["prediction"] if accept else label_ids[(label_ids.index(row["prediction"]) + 1) % len(label_ids)]
    item = lc.choice_result(label)
    item["origin"] = "prediction" if accept else "prediction-changed"
    task["annotations"] = [{"completed_by": user_id, "lead_time": 3.0 + i % 11, "result": [item]}]
    return task


def ensure_project(ls, title: str, n: int, scheme) -> int:
    """The benchmark project with N annotated tasks (made once, reused by later runs)."""
    for project in ls.projects.list(page_size=1000):
        if project.title == title:
            if project.task_number == n:
                print(f"reusing project {title!r} ({n} tasks)", file=sys.stderr)
                return project.id
            ls.projects.delete(id=project.id)
    label_ids = [label.id for label in scheme.labels]
    project = ls.projects.create(title=title, label_config=lc.label_config(scheme))
    user_id = ls.users.whoami().id
    rows = synthetic_claims(n, label_ids)
    began = time.monotonic()
    for start in range(0, n, CHUNK):
        tasks = [annotated_task(row, scheme, user_id, label_ids, start + j)
                 for j, row in enumerate(rows[start:start + CHUNK])]
        ls.projects.import_tasks(id=project.id, request=tasks)
    ls.projects.update(id=project.id, model_version="bench-1")
    print(f"imported {n} annotated tasks in {time.monotonic() - began:.1f} s", file=sys.stderr)
    return project.id


def measure(ls, title: str, pid: int, workspace: str | None, url: str | None, scheme: str,
            server_pid: int | None, keep: bool = False) -> dict:
    """Time the bare export (baseline) and the whole `stance pull` command once; what it pulled is
    removed when the benchmark exits unless ``keep``."""
    began = time.monotonic()
    exported = export_tasks(ls, pid, progress=False)
    baseline = time.monotonic() - began

    out = Path(tempfile.mkdtemp(prefix="bench-pull-out-"))
    if not keep:
        atexit.register(shutil.rmtree, out, True)
    stance = Path(sys.executable).with_name("stance")
    cmd = [str(stance), "pull", "--project", title, "--out", str(out / "pulled"), "--scheme", scheme]
    cmd += ["--url", url] if url else ["--workspace", str(workspace)]
    server_before, client_before = cpu_seconds(server_pid), children_cpu()
    began = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    whole = time.monotonic() - began
    server_after, client_cpu = cpu_seconds(server_pid), children_cpu() - client_before
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    n_labels = sum(1 for _ in (out / "pulled" / "labels.jsonl").open())
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    return {"baseline": baseline, "whole": whole, "server_cpu": server_cpu, "client_cpu": client_cpu,
            "n_exported": len(exported), "n_labels": n_labels, "out": out / "pulled", "load": os.getloadavg()[0]}


def report(n: int, rows: list[tuple[str, dict]]) -> None:
    print(f"{'server':>10} {'tasks':>6} {'export (baseline) s':>20} {'stance pull s':>14} {'ratio':>6} "
          f"{'server CPU s':>12} {'command CPU s':>13} {'load':>5} {'target s':>9}")
    for name, m in rows:
        cpu = "unknown" if m["server_cpu"] is None else f"{m['server_cpu']:.2f}"
        print(f"{name:>10} {n:>6} {m['baseline']:>20.2f} {m['whole']:>14.2f} {m['whole'] / m['baseline']:>6.2f} "
              f"{cpu:>12} {m['client_cpu']:>13.2f} {m['load']:>5.1f} {20:>9}")
    print("ratio: the whole command over the bare export. CPU seconds during `stance pull` (server: pass --server-pid "
          "with --url); their sum is about the wall time on an idle machine (the two mostly take turns)")
    last = rows[-1][1]
    print(f"{last['n_exported']} tasks in the bare export; {last['n_labels']} labelled claims written to {last['out']}; "
          f"{os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workspace", default=None, help="a workspace whose Label Studio runs (or will be started)")
    where.add_argument("--url", default=None, help="a running Label Studio; key in LABEL_STUDIO_API_KEY")
    where.add_argument("--port", type=int, default=None,
                       help="port of the temporary server started without --workspace or --url (default: a free one)")
    parser.add_argument("--scheme", default="kremlin_framing")
    parser.add_argument("--keep", action="store_true", help="leave a server started here running, and the pulled files")
    parser.add_argument("--server-pid", type=int, default=None, help="with --url: the server's pid, to report its CPU time")
    plain = parser.add_mutually_exclusive_group()
    plain.add_argument("--plain-server", action="store_true",
                       help="run label-studio as shipped, without studio_server.py's speed-ups")
    plain.add_argument("--compare-plain", action="store_true",
                       help="measure with studio_server.py, then restart the server as shipped and measure again")
    args = parser.parse_args()
    if args.url and args.compare_plain:
        parser.error("--compare-plain restarts the server: give --workspace (or nothing), not --url")
    patched_launcher = studio._launcher
    if args.plain_server:
        studio._launcher = lambda binary: [binary]

    scheme = load_scheme(args.scheme)
    started = False
    workspace = args.workspace
    if args.url is None and workspace is None:
        # mkdtemp, not TemporaryDirectory, whose finalizer would remove it at exit even with --keep
        workspace = tempfile.mkdtemp(prefix="bench-pull-")
        if not args.keep:   # removed at exit, once the finally below has stopped its server
            atexit.register(shutil.rmtree, workspace, True)
        port = args.port
        if port is None:   # a free port, so a server already on 8080 is left alone
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
    else:
        port = None   # the given workspace's own port
    server_pid = args.server_pid
    if args.url is None:
        info = studio.start(workspace, port=port)
        started = not info["already_running"]
        server_pid = info.get("pid")
    try:
        ls, info = studio.connect(workspace=workspace, url=args.url)
        title = f"bench-pull-{args.n}"
        pid = ensure_project(ls, title, args.n, scheme)
        rows = [("plain" if args.plain_server else "patched" if args.url is None else "given",
                 measure(ls, title, pid, workspace, args.url, args.scheme, server_pid, args.keep))]
        if args.compare_plain:
            report(args.n, rows)   # printed now too, in case the restart fails
        if args.compare_plain:
            studio.stop(workspace)
            port = studio._read_info(workspace)["port"]
            deadline = time.monotonic() + 60
            while not studio._port_free(port) and time.monotonic() < deadline:   # the old server shutting down
                time.sleep(0.5)
            studio._launcher = lambda binary: [binary]
            try:
                info = studio.start(workspace)
                started = True
            finally:
                studio._launcher = patched_launcher
            ls, _ = studio.connect(workspace=workspace)
            rows.append(("plain", measure(ls, title, pid, workspace, None, args.scheme, info.get("pid"), args.keep)))
        report(args.n, rows)
        if args.compare_plain:
            patched, shipped = rows[0][1], rows[1][1]
            print(f"stance pull: {patched['whole']:.2f} s with studio_server.py against {shipped['whole']:.2f} s as shipped "
                  f"(x{shipped['whole'] / patched['whole']:.2f}); server CPU "
                  + ("unknown" if None in (patched["server_cpu"], shipped["server_cpu"])
                     else f"{patched['server_cpu']:.2f} against {shipped['server_cpu']:.2f} s "
                          f"(x{shipped['server_cpu'] / patched['server_cpu']:.2f})"))
        return 0
    finally:
        if started and not args.keep:
            studio.stop(workspace)


if __name__ == "__main__":
    sys.exit(main())
