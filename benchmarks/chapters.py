"""Run every chapter notebook top to bottom and print its wall-clock time and peak memory.

The target (DESIGN.md): each chapter in well under 60 s on a 2-core laptop.
This prints figures; it asserts nothing, so it is not part of `make test`.

    .venv/bin/python benchmarks/chapters.py [notebook ...]
"""

import os
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


def main(paths):
    notebooks = [Path(p).resolve() for p in paths] or sorted(ROOT.glob("chapters/*/*.ipynb"))
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    print(f"{'notebook':<45} {'wall s':>8} {'peak RSS MiB':>13}")
    for nb in notebooks:
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", RUNNER, str(nb), str(nb.parent)],
                             check=True, env=env, cwd=nb.parent, capture_output=True, text=True)
        wall = time.perf_counter() - start
        peak = int(run.stdout.split()[-1]) / 1024
        print(f"{nb.relative_to(ROOT).as_posix():<45} {wall:8.1f} {peak:13.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
