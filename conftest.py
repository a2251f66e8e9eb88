"""pytest settings for nbval runs over chapters/ (tests/ has its own conftest).

`make nbval` runs two pytest-xdist workers. Each starts one Jupyter kernel per
notebook, and a kernel takes its TCP ports between the moment jupyter_client
picks free ones and the moment the kernel binds them; two kernels starting at
once can race for the same ports, and one then never answers. Starting kernels
one at a time across workers (a file lock held while a notebook's kernel
starts) removes the race; the notebooks still run in parallel.
"""

import fcntl
import os
import tempfile

import pytest

_LOCK = os.path.join(tempfile.gettempdir(), f"itml-nbval-kernel-start-{os.getuid()}.lock")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    if type(item).__name__ != "IPyNbCell":
        yield
        return
    with open(_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
