"""How fast does the in-page trainer learn, and when do its samples turn into words? A benchmark, not a test.

1. Words against loss: PyTorch trains the widget's model (its SETTINGS, read from trainer.js) on the
   widget's split of the text, and every few steps scores the held-out text the way the widget does
   (training.evaluate on SETTINGS.eval_tokens) and samples 32 continuations of "the cat sat on the " at the
   widget's temperature. A sampled word (2 or more letters in a row) is real if the training text has it.
   The threshold is the held-out loss from which on (every later evaluation) at least a quarter of the
   sampled words are real, in the strictest of the seeds run: five times the untrained model's share,
   which is short words made by chance (words of 3 or more letters, which chance rarely makes, are
   shown too). Where the runs get that far, it also reports the loss from which on half of them are.
2. PyTorch training the same model on one thread: characters per second (wall and CPU time).
3. The widget itself, in this machine's headless Chromium, on the site built from the records: it presses
   Train and reads the page until the held-out loss is at the threshold: the time to words, and the
   widget's own characters per second, next to PyTorch's (and the CPU time Chromium used).
4. What Train downloads, gzip-compressed. With --backends (needs `npm install`): TensorFlow.js's CPU,
   WebGL and WASM backends, training the same model in Chromium.

Wall times depend on what else the machine does: the load average is printed; run it on a quiet machine.

    python benchmarks/trainer_speed.py
    python benchmarks/trainer_speed.py --seeds 1 2 3 --backends
"""

import argparse
import gzip
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402

import training  # noqa: E402

PROMPT = "the cat sat on the "
TEMPERATURE = 0.8  # the widget's (trainer-worker.js)
SAMPLES, SAMPLE_LENGTH = 32, 60
REAL = 0.25  # the share of real words that counts as "writes words"
MOSTLY = 0.5  # ... and as "writes mostly words"
WIDGET = ".trainer-playground"
CHROMIUM = "/usr/bin/chromium"


def widget_settings():
    script = "import('./docs/assets/playground/trainer.js').then(m => console.log(JSON.stringify(m.SETTINGS)))"
    return json.loads(
        subprocess.run(
            ["node", "-e", script], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )


def words_of(text, shortest=2):
    return [w.lower() for w in re.findall(r"[A-Za-z]+", text) if len(w) >= shortest]


@torch.no_grad()
def samples(model, tokenizer, n, length, generator):
    """n continuations of PROMPT at TEMPERATURE, drawn side by side."""
    model.eval()
    ids = torch.tensor([tokenizer.encode(PROMPT)] * n)
    for _ in range(length):
        logits, _ = model(ids[:, -model.config.block_size :])
        probs = F.softmax(logits[:, -1] / TEMPERATURE, dim=-1)
        ids = torch.cat([ids, torch.multinomial(probs, 1, generator=generator)], dim=1)
    model.train()
    return [tokenizer.decode(row[len(PROMPT) :].tolist()) for row in ids]


def words_against_loss(settings, seed, steps, every):
    """[(step, held-out bits, share of real words)] along a PyTorch run of the widget's model."""
    text = cli.default_corpus()
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, heldout_ids, _ = training.split_three(
        text, tokenizer, settings["heldout_fraction"], 0.0
    )
    dictionary = set(words_of(tokenizer.decode(train_ids.tolist())))
    run = dict(settings, seed=seed)
    model = training.build(run, tokenizer)
    optimizer = training.make_optimizer(model, run["lr"], run["weight_decay"])
    batches = torch.Generator().manual_seed(seed)
    rows = []
    for step in range(steps + 1):
        if step % every == 0:
            bits = training.evaluate(model, heldout_ids, None, run["eval_tokens"]) / math.log(2)
            written = samples(
                model, tokenizer, SAMPLES, SAMPLE_LENGTH, torch.Generator().manual_seed(step)
            )
            shares = []
            for shortest in (2, 3):
                found = [w for s in written for w in words_of(s, shortest)]
                shares.append(sum(w in dictionary for w in found) / max(1, len(found)))
            rows.append((step, bits, *shares, written[0]))
        if step == steps:
            break
        x, y = training.get_batch(train_ids, run["block_size"], run["batch_size"], batches)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        for group in optimizer.param_groups:
            group["lr"] = training.lr_at(step, run)
        optimizer.step()
    return rows


def threshold_of(rows, share):
    """(held-out loss, step) from which on (every later evaluation) at least `share` of the words are real."""
    for i, (step, bits, *_) in enumerate(rows):
        if all(real >= share for _, _, real, *_ in rows[i:]):
            return bits, step
    return None, None


def pytorch_speed(settings, steps=300):
    text = cli.default_corpus()
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, _, _ = training.split_three(text, tokenizer, settings["heldout_fraction"], 0.0)
    run = dict(settings, seed=1)
    model = training.build(run, tokenizer)
    optimizer = training.make_optimizer(model, run["lr"], run["weight_decay"])
    batches = torch.Generator().manual_seed(1)

    def step(i):
        x, y = training.get_batch(train_ids, run["block_size"], run["batch_size"], batches)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        for group in optimizer.param_groups:
            group["lr"] = training.lr_at(i, run)
        optimizer.step()

    for i in range(10):
        step(i)
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(steps):
        step(i)
    chars = steps * run["batch_size"] * run["block_size"]
    return chars / (time.perf_counter() - wall), chars / (time.process_time() - cpu)


def build_site(folder):
    env = dict(os.environ, LLMS101_FROZEN="1", NO_MKDOCS_2_WARNING="1")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--no-strict", "-q", "--site-dir", str(folder)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


class Server:
    def __init__(self, folder):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(port),
                "--bind",
                "127.0.0.1",
                "-d",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}/"
        time.sleep(1)

    def close(self):
        self.proc.terminate()
        self.proc.wait()


def chromium_cpu():
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            if "chrom" in child.name():
                times = child.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def widget_run(browser, url, threshold, limit):
    """Press Train; read the page until the held-out loss reaches threshold (or limit seconds)."""
    page = browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.goto(url + "predict-check-nudge/")
    page.wait_for_selector(f"{WIDGET}[data-state=idle]")
    cpu, start = chromium_cpu(), time.perf_counter()
    page.locator(f"{WIDGET} .tr-train").click()
    page.wait_for_selector(f"{WIDGET}[data-state=training]", timeout=60_000)
    loaded = time.perf_counter() - start
    reached = None
    points = []
    while time.perf_counter() - start < limit:
        label = page.locator(f"{WIDGET} svg").get_attribute("aria-label") or ""
        match = re.search(r"up to step (\d+):.*held-out text from [\d.]+ to (\d+\.\d+)", label)
        if match and (not points or points[-1][1] != int(match[1])):
            points.append((time.perf_counter() - start, int(match[1]), float(match[2])))
            if float(match[2]) <= threshold:
                reached = points[-1]
                break
        time.sleep(0.2)
    seconds, cpu_used = time.perf_counter() - start, chromium_cpu() - cpu
    speed = page.locator(f"{WIDGET} .tr-speed").inner_text()
    sample = page.locator(f"{WIDGET} .tr-sample").inner_text()
    step_now = page.locator(f"{WIDGET} .tr-step").inner_text()
    page.locator(f"{WIDGET} .tr-reset").click()
    loaded_files = {
        r.url.split("/")[-1]
        for r in requests
        if re.search(r"vendor/tfjs/|trainer|python-reference", r.url)
    }
    page.close()
    return dict(
        loaded=loaded,
        reached=reached,
        seconds=seconds,
        cpu=cpu_used,
        speed=speed,
        sample=sample,
        step=step_now,
        points=points,
        files=sorted(loaded_files),
    )


def download_sizes():
    files = [
        *(ROOT / "docs/assets/vendor/tfjs").glob("tfjs*.js"),
        ROOT / "docs/assets/vendor/tfjs/tfjs-backend-wasm-simd.wasm",
        *(ROOT / "docs/assets/playground").glob("trainer*"),
        ROOT / "snippets/data/python-reference.txt",
    ]
    return {f.name: len(gzip.compress(f.read_bytes(), 9)) for f in files}


BENCH_WORKER = """
const params = new URL(self.location.href).searchParams;
const backend = params.get("backend");
const tf = await import("./tf.js");
const { startBackend } = await import("./playground/trainer-backend.js");
const T = await import("./playground/trainer.js");
try {
  await startBackend(tf, new URL("./vendor/tfjs/", self.location.href).href, backend);
  const text = await (await fetch("../data/python-reference.txt")).text();
  const chars = T.vocabulary(text);
  const [train] = T.split(text, chars);
  const config = { ...T.SETTINGS, vocab_size: chars.length };
  const weights = T.initialWeights(config, 1);
  const optimizer = new T.AdamW(config, config.weight_decay);
  const random = T.randomNumbers(2);
  const steps = Number(params.get("steps"));
  let t0;
  for (let s = 0; s < steps; s++) {
    if (s === 3) t0 = performance.now();
    T.trainStep(tf, config, weights, optimizer, T.getBatch(train, config.block_size, config.batch_size, random), T.lrAt(s, config));
  }
  const ms = (performance.now() - t0) / (steps - 3);
  postMessage({ backend: tf.getBackend(), ms, chars: (1000 * config.batch_size * config.block_size) / ms });
} catch (error) { postMessage({ error: String(error) }); }
"""


def compare_backends(browser, site, folder):
    """Each TensorFlow.js backend training the widget's model in a worker, as the widget does."""
    if not (ROOT / "node_modules/@tensorflow/tfjs-backend-webgl").is_dir():
        return "skipped: run `npm install` first (the CPU and WebGL backends are only dev dependencies)"
    source = (
        'export * from "@tensorflow/tfjs-core"; import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";'
        'import "@tensorflow/tfjs-core/dist/register_all_gradients"; import "@tensorflow/tfjs-backend-cpu";'
        'import "@tensorflow/tfjs-backend-webgl"; export { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";'
    )
    script = (
        f"import('esbuild').then(e => e.build({{ stdin: {{ contents: {json.dumps(source)}, resolveDir: '.', loader: 'js' }},"
        f" bundle: true, format: 'esm', minify: true, external: ['util'], outfile: {json.dumps(str(folder / 'assets/tf.js'))}, logLevel: 'error' }}))"
    )
    subprocess.run(["node", "-e", script], cwd=ROOT, check=True)
    (folder / "assets/bench-worker.js").write_text(BENCH_WORKER)
    (folder / "assets/bench.html").write_text("<!doctype html><meta charset='utf-8'>")
    page = browser.new_page()
    page.goto(site + "assets/bench.html")
    results = {}
    for backend, steps in [("wasm", 23), ("webgl", 13), ("cpu", 6)]:
        results[backend] = page.evaluate(
            """(query) => new Promise((resolve) => {
            const worker = new Worker('./bench-worker.js?' + query, { type: 'module' });
            worker.onmessage = (e) => { resolve(e.data); worker.terminate(); };
            worker.onerror = (e) => resolve({ error: e.message });
        })""",
            f"backend={backend}&steps={steps}",
        )
    page.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[1, 2], help="PyTorch runs for the threshold"
    )
    parser.add_argument(
        "--steps", type=int, default=800, help="steps of each PyTorch run (default: %(default)s)"
    )
    parser.add_argument(
        "--limit",
        type=float,
        default=240,
        help="seconds the widget may take (default: %(default)s)",
    )
    parser.add_argument(
        "--backends",
        action="store_true",
        help="also compare TensorFlow.js's backends (needs npm install)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="skip part 1 and use this held-out loss (bits per character)",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    settings = widget_settings()
    print(
        f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    print(f"the widget's model: {settings}")

    print("\n1. words against held-out loss (PyTorch, the widget's model and settings)")
    thresholds = [args.threshold] if args.threshold else []
    for seed in [] if args.threshold else args.seeds:
        rows = words_against_loss(settings, seed, args.steps, settings["eval_every"] * 2)
        for step, bits, real, long_real, text in rows:
            print(
                f"   seed {seed} step {step:5d}  held-out {bits:.2f} bits/char  real words {real:4.0%} "
                f"(3+ letters {long_real:4.0%})  {text[:44]!r}"
            )
        bits, step = threshold_of(rows, REAL)
        if bits is None:
            raise SystemExit(
                f"seed {seed}: never {REAL:.0%} real words for good in {args.steps} steps: try more --steps"
            )
        print(
            f"   seed {seed}: at least {REAL:.0%} real words from step {step} on, held-out {bits:.2f} bits/char"
        )
        thresholds.append(bits)
        mostly, mostly_step = threshold_of(rows, MOSTLY)
        print(
            f"   seed {seed}: at least {MOSTLY:.0%} real words "
            + (
                f"from step {mostly_step} on, held-out {mostly:.2f}"
                if mostly
                else f"not for good within {args.steps} steps"
            )
        )
    threshold = min(thresholds)
    print(f"   threshold (the strictest seed's): {threshold:.2f} bits per character held out")

    print("\n2. PyTorch, the same model, one thread")
    wall, cpu = pytorch_speed(settings)
    print(f"   {wall:,.0f} characters/s (wall), {cpu:,.0f} per CPU-second")

    print("\n3. the widget in headless Chromium")
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="trainer-speed-"))
    server = None
    try:
        build_site(folder)
        server = Server(folder)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            result = widget_run(browser, server.url, threshold, args.limit)
            widget_chars = float(result["speed"].replace(",", ""))
            print(
                f"   Train fetched {', '.join(result['files'])}; training began {result['loaded']:.1f} s after the click"
            )
            for seconds, step, bits in result["points"][::4]:
                print(f"   {seconds:6.1f} s  step {step:5d}  held-out {bits:.2f} bits/char")
            if result["reached"]:
                seconds, step, bits = result["reached"]
                print(
                    f"   time to words: {seconds:.1f} s after pressing Train (step {step}, held-out {bits:.2f} <= {threshold:.2f})"
                )
            else:
                print(f"   time to words: not within {args.limit:.0f} s (at {result['step']})")
            print(
                f"   Chromium's CPU time meanwhile: {result['cpu']:.1f} s for {result['seconds']:.1f} s of wall time "
                f"(what the time to words would be with a core of its own)"
            )
            print(f"   its sample then: {result['sample']!r}")
            print(
                f"   the widget's characters/s: {widget_chars:,.0f}; PyTorch's: {wall:,.0f} (wall) -> "
                f"PyTorch is {wall / widget_chars:.1f}x faster"
            )
            steps = int(result["step"].split()[0].replace(",", ""))
            per_cpu = steps * settings["batch_size"] * settings["block_size"] / result["cpu"]
            print(
                f"   per CPU-second (all of Chromium's, evaluations and samples included): {per_cpu:,.0f}; "
                f"PyTorch's {cpu:,.0f} -> {cpu / per_cpu:.1f}x"
            )
            if args.backends:
                print("\n   TensorFlow.js backends, the same model in a worker:")
                for name, r in compare_backends(browser, server.url, folder).items():
                    print(f"   {name:6s} {r}")
            browser.close()
    finally:
        if server:
            server.close()
        shutil.rmtree(folder, ignore_errors=True)

    print("\n4. what Train downloads (gzip -9)")
    sizes = download_sizes()
    for name, size in sizes.items():
        print(f"   {size:9,d}  {name}")
    print(
        f"   {sum(sizes.values()):9,d}  in all; {sum(v for k, v in sizes.items() if k != 'python-reference.txt'):,} without the text"
    )
    print(f"\nload average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
