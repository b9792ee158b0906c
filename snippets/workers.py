"""Data parallelism's process management: start one process per worker (torchrun, or
the same thing done here where torchrun cannot start), let each join its group, and
average a number over the group. A launcher ends its own process with the workers'
outcome, as torchrun does.

Library module: importing it does nothing. training.train runs in each worker.
"""

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import datetime
import logging
import os
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist

THREADS = 1  # threads per worker process, as training.THREADS (training imports this)

# Several workers (data parallelism). torchrun starts one process per worker and tells
# each its RANK and WORLD_SIZE; the workers meet in a process group to add up their
# gradients.


def worker():
    """(rank, workers): which worker this process is, and how many there are; (0, 1)
    alone."""
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def start_worker(device, timeout):
    """Join the other workers if torchrun started this process; else do nothing. Returns
    worker(). A worker that waits longer than timeout seconds for the others stops with
    one clear line."""
    workers = int(os.environ.get("WORLD_SIZE", "1"))
    if workers == 1:
        return 0, 1
    rank = int(os.environ["RANK"])
    backend = "nccl" if device == "cuda" else "gloo"
    if device == "cuda":
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    try:
        dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout))
        dist.barrier()  # everybody is here
    # noqa: BLE001 - the error is one line, whatever the backend raised
    except Exception as e:
        raise cli.InputError(
            f"worker {rank} of {workers}: the other workers did not "
            f"all join within {timeout:g} s ({type(e).__name__})"
        ) from e
    if rank != 0:
        # one worker speaks for all
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    return rank, workers


def mean_over_workers(value):
    if not dist.is_initialized():
        return value
    tensor = torch.tensor([value], dtype=torch.float64)
    dist.all_reduce(tensor)
    return tensor.item() / dist.get_world_size()


def launch_workers(script, workers, argv):
    """`python train.py --workers N`: what `torchrun --standalone --nproc_per_node=N`
    does, started from Python, with a worker's failure reported in one line instead of
    torchrun's report."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import get_args_parser, run

    if not dist.is_available():
        raise cli.InputError(
            "this build of PyTorch has no torch.distributed: train on one worker"
        )
    if not torchrun_can_start():
        return start_workers_here(script, workers, argv)
    # else torchrun prints a banner about it
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
    logging.getLogger("torch.distributed").setLevel(logging.CRITICAL)
    logs = cli.OUT / "workers"
    # the others' output goes to logs
    quiet = ",".join(f"{rank}:3" for rank in range(1, workers))
    args = ["--standalone", f"--nproc_per_node={workers}", f"--log-dir={logs}"]
    args += [f"--redirects={quiet}"] if quiet else []
    try:
        run(get_args_parser().parse_args([*args, str(script), *argv]))
    except ChildFailedError as e:
        rank, failure = min(e.failures.items())
        if rank == 0:
            # worker 0 has said what went wrong, in one line
            sys.exit(failure.exitcode or 1)
        said = sorted(logs.rglob(f"attempt_0/{rank}/stderr.log"), key=os.path.getmtime)
        text = said[-1].read_text(encoding="utf-8") if said else ""
        lines = text.strip().splitlines()
        said = lines[-1] if lines else "no message"
        raise cli.InputError(f"worker {rank} of {workers} failed: {said}") from e


def torchrun_can_start():
    """Whether torchrun can start its workers here. Its rendezvous makes a TCPStore
    with PyTorch's libuv-based server, which PyTorch's Windows builds leave out
    (pytorch/pytorch#148283). PyTorch's workaround, USE_LIBUV=0
    (pytorch/pytorch#139990), reaches only init_process_group's own store (already its
    default on Windows): torchrun's rendezvous passes no use_libuv, and TCPStore's
    default ignores the variable (pytorch/pytorch#196855, open). So on Windows
    start_workers_here does torchrun's job; tests/test_data_parallel.py tries torchrun
    with USE_LIBUV=0 there and fails loudly once it works, when this launcher can go."""
    try:
        dist.TCPStore("127.0.0.1", 0, 1, True, datetime.timedelta(seconds=10))
    except RuntimeError:
        return False
    return True


def start_workers_here(script, workers, argv):
    """What launch_workers() does where torchrun cannot start: one process per worker,
    told its RANK and WORLD_SIZE as torchrun would tell it; worker 0 hosts the store
    where they meet (init_process_group's env:// start, without libuv on Windows)."""
    import socket
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logs = cli.OUT / "workers"
    logs.mkdir(parents=True, exist_ok=True)
    processes, stderr = [], []
    for rank in range(workers):
        env = dict(
            os.environ,
            RANK=str(rank),
            LOCAL_RANK=str(rank),
            WORLD_SIZE=str(workers),
            LOCAL_WORLD_SIZE=str(workers),
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(port),
            OMP_NUM_THREADS=str(THREADS),
        )
        # the others' output goes to logs
        stderr.append(
            None
            if rank == 0
            else open(logs / f"worker-{rank}.log", "w", encoding="utf-8")
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, str(script), *argv],
                env=env,
                stderr=stderr[-1],
                stdout=None if rank == 0 else subprocess.DEVNULL,
            )
        )
    # the first worker that fails stops the others, as under torchrun
    while any(p.poll() is None for p in processes) and not any(
        p.returncode for p in processes
    ):
        time.sleep(0.1)
    for p in processes:
        if p.poll() is None:
            p.kill()
            p.wait()
    for log in stderr[1:]:
        log.close()
    failed = [rank for rank, p in enumerate(processes) if p.returncode]
    if not failed:
        return
    rank = failed[0]
    if rank == 0:
        # worker 0 has said what went wrong, in one line
        sys.exit(processes[0].returncode)
    lines = Path(stderr[rank].name).read_text(encoding="utf-8").strip().splitlines()
    said = lines[-1] if lines else "no message"
    raise cli.InputError(f"worker {rank} of {workers} failed: {said}")
