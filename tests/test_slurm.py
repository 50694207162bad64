"""End to end on a real single-node Slurm started on loopback by the test itself.

The fixture installs Debian's ``slurmctld``, ``slurmd``, ``slurm-client`` and ``munge`` when they are missing (root
only), writes a throw-away ``slurm.conf`` on free ports, starts ``munged`` (if no munge daemon answers), ``slurmctld``
and ``slurmd``, and shuts them down afterwards. Without root or the packages the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

PACKAGES = ("slurmctld", "slurmd", "slurm-client", "munge")
BINARIES = ("slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "munged", "munge")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_packages() -> None:
    if all(shutil.which(b) or Path(f"/usr/sbin/{b}").exists() for b in BINARIES):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("Slurm end-to-end test: needs root and apt-get to install " + ", ".join(PACKAGES))
    proc = subprocess.run(["apt-get", "install", "-y", "-q", *PACKAGES], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if proc.returncode != 0:
        pytest.skip(f"Slurm end-to-end test: apt-get install {' '.join(PACKAGES)} failed: {proc.stderr[-300:]}")


def _munge_ok() -> bool:
    try:
        cred = subprocess.run(["munge", "-n"], capture_output=True, timeout=10)
        return cred.returncode == 0 and subprocess.run(["unmunge"], input=cred.stdout, capture_output=True,
                                                       timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _wait(predicate, seconds: float, what: str, log: Path | None = None) -> None:
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return
        time.sleep(0.5)
    tail = log.read_text()[-1500:] if log is not None and log.exists() else ""
    raise RuntimeError(f"timed out after {seconds:.0f} s waiting for {what}\n{tail}")


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    """``SLURM_CONF`` of a running one-node cluster (partition ``debug``, 2 CPUs, one CPU per job)."""
    _ensure_packages()
    root = tmp_path_factory.mktemp("slurm")
    for sub in ("spool", "state", "log"):
        (root / sub).mkdir()
    host = socket.gethostname().split(".")[0]
    cpus = max(2, os.cpu_count() or 2)
    conf = root / "slurm.conf"
    conf.write_text("\n".join([
        "ClusterName=gpkit-test", f"SlurmctldHost={host}(127.0.0.1)", "SlurmUser=root", "SlurmdUser=root",
        "AuthType=auth/munge", f"SlurmctldPort={_free_port()}", f"SlurmdPort={_free_port()}",
        f"StateSaveLocation={root / 'state'}", f"SlurmdSpoolDir={root / 'spool'}",
        f"SlurmctldPidFile={root / 'slurmctld.pid'}", f"SlurmdPidFile={root / 'slurmd.pid'}",
        f"SlurmctldLogFile={root / 'log' / 'slurmctld.log'}", f"SlurmdLogFile={root / 'log' / 'slurmd.log'}",
        "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "MpiDefault=none", "ReturnToService=2",
        "SchedulerType=sched/backfill", "SelectType=select/cons_tres", "SelectTypeParameters=CR_CPU",
        "JobAcctGatherType=jobacct_gather/none", "AccountingStorageType=accounting_storage/none",
        f"NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN",
        f"PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP", "",
    ]))
    env = {**os.environ, "SLURM_CONF": str(conf)}
    munged = None
    if not _munge_ok():
        Path("/run/munge").mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        munged = subprocess.Popen(["runuser", "-u", "munge", "--", "/usr/sbin/munged", "--foreground"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(_munge_ok, 20, "munged")
    daemons = [subprocess.Popen([d, "-D", "-f", str(conf)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for d in ("slurmctld", "slurmd")]

    def idle() -> bool:
        out = subprocess.run(["sinfo", "-h", "-o", "%T"], env=env, capture_output=True, text=True, timeout=10)
        return out.returncode == 0 and out.stdout.strip() in ("idle", "mixed")

    try:
        _wait(idle, 60, "the node to become idle", root / "log" / "slurmctld.log")
        yield conf
    finally:
        def drained() -> bool:
            out = subprocess.run(["squeue", "-h"], env=env, capture_output=True, text=True, timeout=10)
            return out.returncode != 0 or not out.stdout.strip()

        try:
            _wait(drained, 30, "the queue to drain")
        except RuntimeError:
            subprocess.run(["scancel", "--partition", "debug"], env=env, capture_output=True, timeout=30)
        subprocess.run(["scontrol", "shutdown"], env=env, capture_output=True, timeout=30)
        for proc in daemons + ([munged] if munged else []):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=15)
        time.sleep(1)
        subprocess.run(["pkill", "-f", r"slurmstepd: \["], capture_output=True)  # step daemons of this cluster


@pytest.mark.slurm
def test_sweep_runs_smoke_notebooks_as_a_slurm_job_array(slurm_cluster, tmp_path, monkeypatch):
    from gpkit import sweep

    monkeypatch.setenv("SLURM_CONF", str(slurm_cluster))
    runs = [{"seed": s} for s in range(4)]
    out = sweep.sweep("02", runs, profile="smoke", executor="slurm", runs_root=tmp_path / "runs",
                      timeout_min=10, cpus_per_task=1, partition="debug", poll_s=1.0, progress=False)
    assert [r.state for r in out] == ["done"] * 4, sweep.summary_table(out)
    assert len({r.job_id.split("_")[0] for r in out}) == 1  # one array
    assert sorted(int(r.job_id.split("_")[1]) for r in out) == [0, 1, 2, 3]
    for r in out:
        res = json.loads((r.out_dir / "results.json").read_text())
        assert res["profile"] == "smoke" and res["seed"] == r.params["seed"] and res["claims"]
        assert r.claims == {c["id"]: c["verdict"] for c in res["claims"]}
    again = sweep.sweep("02", runs, profile="smoke", executor="slurm", runs_root=tmp_path / "runs", timeout_min=10,
                        progress=False)
    assert [r.state for r in again] == ["skipped"] * 4
