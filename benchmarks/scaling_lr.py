"""How scaling.py chose its learning rates: a small sweep, scored on the validation text (never on the
test text the page reports). A benchmark, not a test: a few minutes on one core.

scaling.py gives a model of width w the learning rate scale x 32 / w: narrower models take bigger
steps. This trains a few widths with the page's recipe (same shape, steps, batches and data order) at a
few scales, and prints the validation loss of each, the best scale per width, and, per scale, whether
the loss falls with every step up in width (a scale that suits some widths and not others makes a
ragged curve).

    python benchmarks/scaling_lr.py
    python benchmarks/scaling_lr.py --widths 8 32 88 --scales 0.012 0.024 --seed 1
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
import cli  # noqa: E402  (first among the snippets' modules: it pins the arithmetic)

import torch  # noqa: E402

import training  # noqa: E402
from gpt import GPT, GPTConfig  # noqa: E402


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--widths", nargs="+", type=int, default=[8, 24, 48, 88])
    parser.add_argument("--scales", nargs="+", type=float, default=[0.006, 0.012, 0.024])
    parser.add_argument("--seed", type=int, default=training.DEFAULT["seed"])
    args = parser.parse_args()
    torch.set_num_threads(1)

    # the recipe of snippets/scaling.py
    n_layer, n_head, steps, batch_size, block_size = 2, 1, 400, 32, 64
    text = cli.default_corpus()
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, val_ids, _ = training.split_three(text, tokenizer)
    losses = {}
    started = time.process_time()
    print(f"validation loss (nats per character) after {steps} steps; lr = scale x 32 / width")
    print("width " + "".join(f"{scale:>10}" for scale in args.scales))
    for width in args.widths:
        row = f"{width:5d} "
        for scale in args.scales:
            torch.manual_seed(args.seed)
            model = GPT(
                GPTConfig(
                    vocab_size=tokenizer.vocab_size,
                    block_size=block_size,
                    n_layer=n_layer,
                    n_head=n_head,
                    n_embd=width,
                )
            )
            lr = scale * 32 / width
            settings = dict(
                training.DEFAULT,
                steps=steps,
                batch_size=batch_size,
                lr=lr,
                min_lr=lr / 10,
                seed=args.seed,
            )
            training.train(model, train_ids, val_ids, settings, eval_every=steps, eval_tokens=1)
            losses[width, scale] = training.evaluate(model, val_ids)
            row += f"{losses[width, scale]:10.3f}"
        best = min(args.scales, key=lambda scale: losses[width, scale])
        print(row + f"   best scale {best}", flush=True)
    for scale in args.scales:
        column = [losses[width, scale] for width in sorted(args.widths)]
        steady = all(bigger < smaller for smaller, bigger in zip(column, column[1:]))
        print(
            f"scale {scale}: the loss falls with every step up in width: {'yes' if steady else 'no'}"
        )
    print(f"({time.process_time() - started:.0f} s of CPU time)")


if __name__ == "__main__":
    main()
