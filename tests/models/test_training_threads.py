"""How many threads training takes: the cores idle now, not the load average of the last minute."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from models import finetune


def test_cpu_times_reads_only_the_given_cpus(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  50 0 50 900 0 0 0 0 0 0\n"
                    "cpu0 30 0 10 60 0 0 0 0 0 0\n"        # busy 40 of 100
                    "cpu1 10 0 10 70 10 0 0 0 0 0\n"       # busy 20 of 100 (iowait is idle)
                    "cpu2 90 0 10 0 0 0 0 0 0 0\n"         # not ours
                    "intr 1 2 3\n", encoding="ascii")
    assert finetune._cpu_times({0, 1}, str(stat)) == (60.0, 200.0)
    assert finetune._cpu_times({0}, str(stat)) == (40.0, 100.0)
    assert finetune._cpu_times({7}, str(stat)) is None                 # no such cpu: nothing to go by
    assert finetune._cpu_times({0}, str(tmp_path / "missing")) is None


def test_threads_follow_what_is_busy_now_and_fall_back_to_the_load_average(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    samples = iter([(100.0, 400.0), (100.0 + 200.0 / cores, 600.0)])   # one core's worth busy in between
    monkeypatch.setattr(finetune, "_cpu_times", lambda cpus: next(samples))
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    assert finetune.busy_cores() == pytest.approx(1.0)
    monkeypatch.setattr(finetune, "busy_cores", lambda: 1.0)
    assert finetune.training_threads() == max(1, cores - 1)
    monkeypatch.setattr(finetune, "busy_cores", lambda: 0.0)
    assert finetune.training_threads() == cores
    monkeypatch.undo()
    # /proc/stat unreadable: the load average decides, as before.
    monkeypatch.setattr(finetune, "_cpu_times", lambda cpus: None)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 2.0, 1.0))
    assert finetune.busy_cores() == 3.0 and finetune.training_threads() == 1


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="reads /proc/stat")
def test_a_process_busy_on_a_core_is_seen():
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert finetune.busy_cores() >= 0.7
    finally:
        busy.kill()
        busy.wait()
