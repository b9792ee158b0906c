"""The in-page trainer computes what PyTorch computes.

Python writes a case to a temporary folder: the widget's model (snippets/gpt.py) with GPT-2's random
weights, 200 batches of the site's training text, and what PyTorch gets from them: the loss and every
gradient on the first batch, the losses of 200 steps of training.train's loop (AdamW, warmup then
cosine, gradients clipped at 1.0), and training.evaluate and sampling.top_words on the weights it ends
with. Node's test runner then runs tests/js/trainer.test.mjs, which trains the same model from the
same weights on the same batches with TensorFlow.js (the vendored bundle, its WebAssembly backend),
against it.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402

import sampling  # noqa: E402
import training  # noqa: E402

JS_TEST = ROOT / "tests" / "js" / "trainer.test.mjs"
# The widget's run (SETTINGS in docs/assets/playground/trainer.js; the Node test checks they agree), with
# the schedule squeezed into the 200 steps compared, so that they cover the warmup and the whole decay.
SETTINGS = dict(
    n_layer=2,
    n_head=4,
    n_embd=64,
    block_size=32,
    dropout=0.0,
    batch_size=16,
    lr=6e-3,
    min_lr=6e-4,
    warmup=50,
    weight_decay=0.1,
    heldout_fraction=0.1,
)
STEPS = 200
SEED = 1337
PROMPT = "the cat sat on the "
EVAL_TOKENS = 1024


def gradients(model, x, y):
    model.zero_grad(set_to_none=True)
    logits, _ = model(x)
    loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
    loss.backward()
    return loss.item(), {name: p.grad.flatten().tolist() for name, p in model.named_parameters()}


def make_case(folder):
    text = cli.default_corpus()
    tokenizer = training.CharTokenizer.from_text(text)
    # (train, held out): split_three with no test part is what the widget's split does
    train_ids, heldout_ids, _ = training.split_three(
        text, tokenizer, SETTINGS["heldout_fraction"], 0.0
    )
    settings = dict(SETTINGS, steps=STEPS, seed=SEED)
    model = training.build(settings, tokenizer)
    training.export_for_browser(folder / "initial.safetensors", model, tokenizer)

    generator = torch.Generator().manual_seed(SEED)
    batches = [
        training.get_batch(train_ids, settings["block_size"], settings["batch_size"], generator)
        for _ in range(STEPS)
    ]
    loss, grads = gradients(copy.deepcopy(model), *batches[0])

    # training.train's loop, step for step, on these batches
    optimizer = training.make_optimizer(model, settings["lr"], settings["weight_decay"])
    losses = []
    model.train()
    for step, (x, y) in enumerate(batches, start=1):
        logits, _ = model(x)
        batch_loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        batch_loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        for group in optimizer.param_groups:
            group["lr"] = training.lr_at(step - 1, settings)
        optimizer.step()
        losses.append(batch_loss.item())
    model.eval()
    training.export_for_browser(folder / "trained.safetensors", model, tokenizer)

    case = {
        "settings": settings,
        "chars": tokenizer.chars,
        "train_ids": train_ids.tolist(),
        "heldout_ids": heldout_ids.tolist(),
        "initial": str(folder / "initial.safetensors"),
        "trained": str(folder / "trained.safetensors"),
        "batches": [{"x": x.flatten().tolist(), "y": y.flatten().tolist()} for x, y in batches],
        "loss": loss,
        "gradients": grads,
        "losses": losses,
        "lr": [training.lr_at(step, settings) for step in range(STEPS)],
        "eval_tokens": EVAL_TOKENS,
        "evaluate": {
            "train": training.evaluate(model, train_ids, None, EVAL_TOKENS),
            "heldout": training.evaluate(model, heldout_ids, None, EVAL_TOKENS),
        },
        "prompt": PROMPT,
        "top_words": sampling.top_words(model, tokenizer, PROMPT),
    }
    path = folder / "trainer-case.json"
    path.write_text(json.dumps(case))
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(training.THREADS)
    try:
        yield make_case(tmp_path_factory.mktemp("trainer"))
    finally:
        torch.set_num_threads(threads)


def test_the_trainer_matches_pytorch(case):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js is missing: the trainer's tests need it (apt-get install nodejs)")
        pytest.skip("Node.js is not installed: the trainer's tests need it")
    proc = subprocess.run(
        [node, "--test", "--test-reporter=spec", str(JS_TEST)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, LLMS101_TRAINER_CASE=str(case)),
    )
    assert proc.returncode == 0, (
        f"node --test failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-3000:]}"
    )
    assert re.search(r"\bskipped 0\b", proc.stdout), (
        f"some of the trainer's tests were skipped:\n{proc.stdout[-3000:]}"
    )


def test_the_trainer_adds_at_most_1_5_mb_compressed():
    """What the page downloads once the reader starts the trainer (not before: the browser test checks
    that), gzip-compressed as a web server sends it."""
    import gzip

    files = [
        *(ROOT / "docs/assets/vendor/tfjs").glob("*.js"),
        *(ROOT / "docs/assets/vendor/tfjs").glob("*simd.wasm"),
        *(ROOT / "docs/assets/playground").glob("trainer*"),
    ]
    sizes = {f.name: len(gzip.compress(f.read_bytes(), 9)) for f in files}
    assert "tfjs.js" in sizes and "tfjs-backend-wasm-simd.wasm" in sizes, sizes
    assert sum(sizes.values()) <= 1_500_000, sizes
