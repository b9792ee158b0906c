"""Small things the unit tests share: tiny models with weights that make every part of the model
matter, on one thread (a model this small runs 30 times slower on two busy threads than on one).

The unit tests (tests/test_unit_*.py) check what the library modules in snippets/ do, in seconds,
with no recorded run: the mutation benchmark (benchmarks/mutation.py) runs them hundreds of times.
"""

import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402, F401  (first: it pins how PyTorch adds numbers up)

from gpt import GPT, GPTConfig  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Each unit test module runs on one thread, and gives the thread count back afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def model(vocab_size=8, block_size=8, n_layer=2, n_head=2, n_embd=16, spread=0.5, seed=0, **kw):
    """A GPT whose every weight (layer-norm gains and biases too) is drawn at random with standard
    deviation `spread`: its predictions are far from uniform, and a change to any part of the model
    changes them. spread=None keeps the model's own initialisation."""
    torch.manual_seed(seed)
    config = GPTConfig(
        vocab_size=vocab_size,
        block_size=block_size,
        n_layer=n_layer,
        n_head=n_head,
        n_embd=n_embd,
        **kw,
    )
    net = GPT(config)
    if spread is not None:
        with torch.no_grad():
            for p in net.parameters():
                p.normal_(0.0, spread)
    return net.eval()


def total_variation(p, q):
    """Half the summed difference of two distributions: 0 when equal, 1 when they share nothing."""
    return (
        0.5
        * (torch.as_tensor(p, dtype=torch.float64) - torch.as_tensor(q, dtype=torch.float64))
        .abs()
        .sum()
        .item()
    )
