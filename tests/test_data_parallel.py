"""Data parallelism ("How the big runs do it"): two workers with half the batch each take the same
steps as one worker with the whole batch; and a run that cannot start ends in one clear line."""

import os
import socket
import subprocess
import sys
import time

import pytest

from claims import claim
from helpers import ROOT, SHORT_TEXT, one_line_error, run_script

TRAIN = "snippets/train.py"


@pytest.fixture(scope="module")
def run(snippet_run):
    return snippet_run("data_parallel.py")


@claim(
    "big-runs.md",
    "On this page, two workers on a laptop take the same steps as one, down to rounding.",
    "both runs' losses are the same, step for step, up to rounding.",
    "The biggest gap between them, at any step of this run, is {= data_parallel.py:largest_difference:.7f =}: adding up the same numbers in two halves and then averaging rounds a hair differently from adding them up in one go.",
)
def test_two_workers_take_the_same_steps_as_one(run):
    one, two = run.variables["one"], run.variables["two"]
    assert len(one) == len(two) >= 50
    assert max(abs(a - b) for a, b in zip(one[:50], two[:50])) < 1e-4
    assert run.variables["largest_difference"] == max(abs(a - b) for a, b in zip(one, two))
    assert one[-1] < one[0]  # and it is training: the loss falls


@claim(
    "big-runs.md",
    "Our model trains for a few steps on one worker, then again, from the same start, on two, and the loss of every step is compared.",
    "Each step reads a batch of {= data_parallel.py:batch =} stretches of text, which the table calls *windows*",
)
def test_the_page_shows_both_commands(run):
    printed = run.cells["runs"]["stdout"]
    assert "--workers 1" in printed and "--workers 2" in printed
    # the table's header counts the batch in windows: the page says what a window is
    assert f"1 worker, {run.variables['batch']} windows" in "".join(run.cells["compare"]["stdout"])


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--workers", "0"], "must be at least 1, not 0"),
        (["--workers", "3"], "does not split evenly across 3 workers"),
        (["--workers", "two"], "invalid int"),
        (["--nproc_per_node=0"], "must be at least 1, not 0"),  # torchrun's name for it works too
        (["--nproc_per_node=abc"], "invalid int"),
        (["--timeout", "0"], "--timeout must be above 0"),
    ],
)
@claim(
    "big-runs.md",
    "A count the batch can't be split across evenly stops the run at once, with one line saying so.",
)
def test_bad_worker_settings_get_one_line(args, expected):
    assert expected in one_line_error(run_script(TRAIN, *args))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@claim(
    "big-runs.md",
    "A count the batch can't be split across evenly stops the run at once, with one line saying so.",
)
def test_a_worker_torchrun_starts_in_a_group_the_batch_cannot_split_across_stops_at_once():
    """`torchrun --nproc_per_node=3 snippets/train.py`: each worker says why, before any work."""
    env = dict(os.environ, WORLD_SIZE="3", RANK="0", LOCAL_RANK="0")
    proc = subprocess.run(
        [sys.executable, TRAIN, "--steps", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert "does not split evenly across 3 workers" in one_line_error(proc)
    assert proc.stdout == ""


def test_a_worker_whose_partner_never_starts_stops_with_one_line_after_the_timeout(tmp_path):
    """Worker 0 of 2, started the way torchrun starts it, with nobody to meet: no hang."""
    env = dict(
        os.environ,
        WORLD_SIZE="2",
        RANK="0",
        LOCAL_RANK="0",
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(free_port()),
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, TRAIN, "--steps", "5", "--timeout", "3", "--out", str(tmp_path / "m.pt")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    line = one_line_error(proc)
    assert "worker 0 of 2" in line and "did not all join within 3 s" in line
    assert time.perf_counter() - started < 60
    assert not (tmp_path / "m.pt").exists()


def test_a_failing_worker_ends_the_run_with_its_one_line(tmp_path):
    (tmp_path / "blocker").write_text("a file, so no folder can be made here")
    proc = run_script(
        TRAIN,
        *("--workers", "2", "--steps", "3", "--text", SHORT_TEXT),
        *("--out", tmp_path / "blocker" / "m.pt"),
        timeout=300,
    )
    assert "cannot save the model" in one_line_error(proc)


@pytest.mark.xfail(
    sys.platform == "win32",
    strict=True,
    reason="PyTorch 2.13's torchrun cannot start on Windows, even with USE_LIBUV=0 (see "
    "snippets/workers.py, torchrun_can_start): when this passes, start_workers_here can go",
)
@claim(
    "big-runs.md",
    "On Linux and macOS, it's the same as `torchrun --standalone --nproc_per_node=2 snippets/train.py`, if you'd rather use PyTorch's launcher directly; our script also takes torchrun's name for the count, `--nproc_per_node`.",
    "On Windows, the PyTorch these pages pin can't start `torchrun`,[^libuv] so use `--workers` there",
)
def test_torchrun_itself_starts_the_same_training(tmp_path, one_worker_losses):
    """The command the page gives: `torchrun --standalone --nproc_per_node=2 snippets/train.py`,
    with PyTorch's workaround for its Windows builds (USE_LIBUV=0, pytorch/pytorch#139990)."""
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    two = subprocess.run(
        [*torchrun, TRAIN, "--steps", "3", "--text", SHORT_TEXT, "--out", tmp_path / "two.pt"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=dict(os.environ, USE_LIBUV="0"),
    )
    assert two.returncode == 0, two.stderr[-2000:]
    sys.path.insert(0, str(ROOT / "snippets"))
    import training

    losses = [one_worker_losses, training.load(tmp_path / "two.pt")[2]["history"]["loss"]]
    assert len(losses[0]) == len(losses[1]) == 3
    assert max(abs(a - b) for a, b in zip(*losses)) < 1e-4
