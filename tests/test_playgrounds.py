"""The in-page playgrounds compute what Python computes: the same token ids as the tokenizers the pages
use, the same logits as the PyTorch model (within 1e-4).

Python writes the reference (ids, pieces, logits, greedy continuations) to a JSON file; Node's test
runner then runs tests/js/*.test.mjs, which import the playground modules and the vendored bundles
the site serves, against it. The tokenizer and model are small ones made here, in a second, plus the
site's real exports where a build has recorded them.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import bpe_openai
import pytest
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402

import sampling  # noqa: E402
import training  # noqa: E402
from gpt import GPT, GPTConfig  # noqa: E402
from tokenizer import load, save, train_bpe, visible  # noqa: E402

SITE_TOKENIZER = ROOT / "_freeze" / "tokens" / "exports" / "tokenizer.json"
SITE_MODEL = ROOT / "_freeze" / "train" / "exports" / "tiny-gpt.safetensors"
JS_TESTS = sorted((ROOT / "tests" / "js").glob("*.test.mjs"))

TEXTS = [
    "strawberry",
    "Strawberry",
    " strawberry",
    "strawberries",
    "STRAWBERRY",
    "How many r's are in strawberry?",
    "s t r a w b e r r y",
    "s-t-r-a-w-b-e-r-r-y",
    "strawberry🍓 straw-berry",
    "café crème brûlée, naïve façade",
    "Ünïcödé ÅNGSTRÖM",
    "e\u0301 (e and a combining accent)",
    "🍓",
    "🍓🍓 strawberry 🍓",
    "👩‍👩‍👧‍👦 a family in one emoji",
    "🇫🇷 flag",
    "def f(x):\n\treturn x ** 2  # squared\n",
    "for (let i = 0; i < n; i++) { sum += a[i]; }",
    '{"key": [1, 2.5, null], "ok": true}',
    "ZeroDivisionError: division by zero",
    "东京是日本的首都。",
    "日本語のテキスト",
    "한국어 텍스트",
    "Привет, мир!",
    "مرحبا بالعالم",
    "नमस्ते दुनिया",
    "a" + " " * 40 + "b",
    " " * 7,
    "   leading and trailing   ",
    "\n\n\n",
    "\t\tindented\n    spaces\n",
    "line one\r\nline two",
    "<|endoftext|> is plain text here",
    "",
    "1234567890 3.14159 1e-5 $1,000,000",
    "the cat sat on the mat. " * 20,
]


def tokenizer_reference(path):
    ours = load(path)
    return {
        "file": str(path),
        "cases": [pieces_of(ours.encode(text).ids, ours, text) for text in TEXTS],
    }


def openai_reference(name):
    encoding = bpe_openai.get_encoding(name)
    return [
        pieces_of(encoding.encode(text, disallowed_special=()), encoding, text) for text in TEXTS
    ]


def pieces_of(ids, tokenizer, text):
    """What tokens.py shows of a text: ids, and each one's piece (with '�' for part of a character)."""
    pieces = [tokenizer.decode([i]) for i in ids]
    return {"text": text, "ids": ids, "pieces": pieces, "visible": [visible(p) for p in pieces]}


def load_exported(path):
    """(model, tokenizer) from a file training.export_for_browser wrote: what the sampling playground runs."""
    raw = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    metadata = header.pop("__metadata__")
    model = GPT(GPTConfig(**json.loads(metadata["config"])))
    data = raw[8 + length :]
    state = {
        name: torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(
            info["shape"]
        )
        for name, info in header.items()
        for begin, end in [info["data_offsets"]]
    }
    state["lm_head.weight"] = state["wte.weight"]  # tied: not stored
    model.load_state_dict(state)
    model.eval()
    return model, training.CharTokenizer(json.loads(metadata["chars"]))


def model_reference(path, prompts, greedy_tokens=24, temperature=0.7, top_k=5):
    model, tokenizer = load_exported(path)
    cases = []
    for prompt in prompts:
        ids = tokenizer.encode(prompt)
        with torch.no_grad():
            logits = model(torch.tensor(ids[-model.config.block_size :])[None])[0][0, -1]
        # what sampling.generate draws from at this temperature and top-k
        scaled = logits / temperature
        scaled = scaled.masked_fill(scaled < torch.topk(scaled, top_k).values[-1], float("-inf"))
        cases.append(
            {
                "prompt": prompt,
                "ids": ids,
                "logits": logits.tolist(),
                "temperature": temperature,
                "top_k": top_k,
                "probs": F.softmax(scaled, dim=-1).tolist(),
                "greedy": tokenizer.decode(
                    sampling.generate(model, ids, greedy_tokens, greedy=True)
                ),
            }
        )
    return {
        "file": str(path),
        "block_size": model.config.block_size,
        "chars": tokenizer.chars,
        "cases": cases,
    }


def small_model(folder):
    """A tiny GPT with random weights, large enough that every part of the network moves the logits."""
    text = "the cat sat on the mat. The Cat? 'tHE dog' ran: off!\n\t1 + 2 = 3"
    tokenizer = training.CharTokenizer.from_text(text)
    settings = dict(training.DEFAULT, n_layer=2, n_head=2, n_embd=24, block_size=16, seed=7)
    model = training.build(settings, tokenizer)
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.5)
    path = folder / "small.safetensors"
    training.export_for_browser(path, model, tokenizer)
    prompts = ["t", "the cat ", text, text * 3]  # the last two are longer than block_size: cropped
    return path, prompts


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(training.THREADS)  # more threads only fight over a busy CPU at this size
    try:
        yield make_reference(tmp_path_factory.mktemp("playgrounds"))
    finally:
        torch.set_num_threads(threads)


def make_reference(folder):
    small_tokenizer = folder / "tokenizer.json"
    save(train_bpe(cli.default_corpus()[:20_000], vocab_size=600), small_tokenizer)
    data = {
        "tokenizers": [tokenizer_reference(small_tokenizer)],
        "openai": {name: openai_reference(name) for name in ["cl100k_base", "o200k_base"]},
        "models": [model_reference(*small_model(folder))],
    }
    if SITE_TOKENIZER.is_file():
        data["tokenizers"].append(tokenizer_reference(SITE_TOKENIZER))
    if SITE_MODEL.is_file():
        long_prompt = "the cat sat on the mat, and then the function returned None. " * 4
        data["models"].append(
            model_reference(SITE_MODEL, ["the cat sat on the ", "a", "The function ", long_prompt])
        )
    path = folder / "reference.json"
    path.write_text(json.dumps(data))
    return path


def test_node_tests_match_python(reference):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js is missing: the playground tests need it (apt-get install nodejs)")
        pytest.skip("Node.js is not installed: the playground tests need it")
    assert JS_TESTS, "no tests in tests/js/"
    proc = subprocess.run(
        [node, "--test", "--test-reporter=spec", *map(str, JS_TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, LLMS101_PLAYGROUND_REFERENCE=str(reference)),
    )
    assert proc.returncode == 0, (
        f"node --test failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-3000:]}"
    )


def test_the_playgrounds_downloads_are_the_sizes_their_hints_say():
    """The sampling playground says its model is "under a megabyte", the tokeniser playground that
    its vocabularies are "a few megabytes": what one tap costs a reader on a phone plan."""
    playground = ROOT / "docs" / "assets" / "playground"
    assert "under a megabyte" in (playground / "sampling-playground.js").read_text()
    assert SITE_MODEL.stat().st_size < 1_000_000, "the sampling playground's model"
    assert "a few megabytes" in (playground / "tokenizer-playground.js").read_text()
    vendored = ROOT / "docs" / "assets" / "vendor" / "gpt-tokenizer"
    ours = ROOT / "_freeze" / "tokens" / "exports" / "tokenizer.json"
    total = sum(path.stat().st_size for path in [*vendored.glob("*_base.js"), ours])
    assert 1_000_000 < total < 10_000_000, total
