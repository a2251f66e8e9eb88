"""`make install` as a student meets it, checked without installing anything.

A fake interpreter (a shell script answering the two questions the Makefile
asks) and a throw-away VENV directory stand in for a laptop; `make -n` shows
what would run.
"""

import os
import shutil
import subprocess
import time

import pytest

from notebooks import ROOT

MAKE = shutil.which("make")
REAL_PATH_QUESTION = "realpath"  # the Makefile asks os.path.realpath(...)


def _fake_python(directory, version, name="python"):
    """A script that says it is Python ``version`` living at ``directory/name``."""
    path = directory / name
    path.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *version_info*) echo {version};; *{REAL_PATH_QUESTION}*) echo "{path}";; '
        "*) exit 1;; esac\n",
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


def _make(*args, env=None):
    environment = {**os.environ, "CI": "", **(env or {})}
    return subprocess.run([MAKE, "-C", str(ROOT), *args], capture_output=True, text=True,
                          env=environment, check=False)


@pytest.fixture
def laptop(tmp_path):
    """A directory for .venv and two fake interpreters, 3.9 and 3.12."""
    return tmp_path, _fake_python(tmp_path, "3.9", "python3.9"), _fake_python(
        tmp_path, "3.12", "python3.12")


def _venv_made_with(venv, python):
    """A .venv whose stamp says ``python`` made it, newer than the pins."""
    (venv / "bin").mkdir(parents=True)
    shutil.copy(python, venv / "bin" / "python")
    stamp = venv / ".installed"
    stamp.write_text(f"{python}\n", encoding="utf-8")
    future = time.time() + 3600
    os.utime(stamp, (future, future))


def test_install_refuses_an_unsupported_python_and_says_how_to_get_one(laptop):
    tmp, old, _ = laptop
    run = _make("install", f"VENV={tmp / 'venv'}", f"PYTHON={old}")
    assert run.returncode != 0
    assert "is 3.9; this book needs Python 3.11 3.12 3.13" in run.stdout
    assert "make install PYTHON=python3.12" in run.stdout and "brew install" in run.stdout
    assert not (tmp / "venv").exists(), "nothing is created before the check"


def test_install_refuses_a_missing_interpreter(laptop):
    tmp, _, _ = laptop
    run = _make("install", f"VENV={tmp / 'venv'}", f"PYTHON={tmp / 'no-such-python'}")
    assert run.returncode != 0 and "not a working Python" in run.stdout


def test_install_rebuilds_the_venv_when_the_interpreter_changes(laptop):
    tmp, old, new = laptop
    venv = tmp / "venv"
    _venv_made_with(venv, old)
    run = _make("-n", "install", f"VENV={venv}", f"PYTHON={new}")
    assert run.returncode == 0, run.stderr
    assert f"rm -rf {venv}" in run.stdout
    assert f"{new} -m venv {venv}" in run.stdout
    assert f'echo "{new}" > {venv}/.installed' in run.stdout, "the stamp records the interpreter"


def test_install_keeps_the_venv_for_the_interpreter_that_made_it(laptop):
    tmp, _, new = laptop
    venv = tmp / "venv"
    _venv_made_with(venv, new)
    run = _make("-n", "install", f"VENV={venv}")  # PYTHON defaults to the recorded one
    assert run.returncode == 0, run.stderr
    assert "Nothing to be done" in run.stdout


def test_install_shows_pip_progress_and_takes_cpu_torch_on_linux_outside_ci(laptop):
    tmp, _, new = laptop
    run = _make("-n", "install", f"VENV={tmp / 'venv'}", f"PYTHON={new}")
    assert "--quiet" not in run.stdout and "-q " not in run.stdout
    assert "pip --disable-pip-version-check install -r requirements.txt" in run.stdout
    torch = "install --index-url https://download.pytorch.org/whl/cpu 'torch=="
    if os.uname().sysname == "Linux":
        assert torch in run.stdout
        assert "could not be reached; torch comes from PyPI" in run.stdout, "a fallback, said"
    ci = _make("-n", "install", f"VENV={tmp / 'venv'}", f"PYTHON={new}", env={"CI": "true"})
    assert "download.pytorch.org" not in ci.stdout, "CI reaches only PyPI"
    chosen = _make("-n", "install", f"VENV={tmp / 'venv'}", f"PYTHON={new}", "TORCH_INDEX=")
    assert "download.pytorch.org" not in chosen.stdout
