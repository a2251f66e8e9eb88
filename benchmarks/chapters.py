"""Run chapter notebooks top to bottom and report wall-clock time, CPU time and peak memory.

The budget (CONTRIBUTING.md): each chapter runs in seconds on a 2-core laptop, one
thread. This prints figures; it asserts nothing, so it is not part of `make test`.

    .venv/bin/python benchmarks/chapters.py [--json benchmarks/chapters.json] [notebook ...]

With ``--json`` the figures are also written to a data file, with the machine
they were measured on (CPU model, cores, threads, load average) and the date.
The lesson plans of the teaching kit (``make lesson-plans``, ``ilib/kit.py``)
state each chapter's run time from that file, so re-run this on a quiet machine
and commit the file when the chapters change.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNNER = """
import resource, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
# The kernel has been shut down and reaped: its peak RSS is among the children's (KiB).
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def cpu_model():
    """The CPU's model name (from /proc/cpuinfo on Linux, else the platform's word)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine(threads):
    """What the figures were measured on: CPU model, cores, threads, load average."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": int(threads),
        "load_average_1min_at_start": round(load[0], 2),
        "python": platform.python_version(),
        "system": platform.system(),
    }


def run(nb, env):
    """Execute one notebook in a fresh kernel: (wall s, CPU s of runner and kernel, peak MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER, str(nb), str(nb.parent)],
                          check=True, env=env, cwd=nb.parent, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, int(done.stdout.split()[-1]) / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, help="also write the figures to this data file")
    args = parser.parse_args(argv)
    notebooks = ([p.resolve() for p in args.notebooks]
                 or sorted(ROOT.glob("chapters/*/*.ipynb")))
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    about = machine(env["OMP_NUM_THREADS"])
    print(f"{'notebook':<45} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}")
    figures = {}
    for nb in notebooks:
        wall, cpu, peak = run(nb, env)
        name = nb.relative_to(ROOT).as_posix()
        figures[name] = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                         "peak_rss_mib": round(peak)}
        print(f"{name:<45} {wall:8.1f} {cpu:8.1f} {peak:13.0f}")
    if args.json:
        # One file describes one run on one machine: a partial run replaces it.
        data = {"measured": datetime.date.today().isoformat(), "machine": about,
                "notebooks": figures}
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
