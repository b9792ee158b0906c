# It learns things anyway: trained only to predict the next character of a made-up web,
# a tiny model ends up answering questions about facts in wordings it never read (the
# ones it read often), and writing story-shaped and code-shaped text.
#
#     python snippets/facts.py                 # about two minutes on one laptop core
#     python snippets/facts.py --seed 7

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import random
import re
import statistics

import torch

import corpus
import sampling
import training

parser = cli.Parser(
    description="Train a tiny model on a made-up web and measure which "
    "facts it can state in a wording it never read, and "
    "the shapes of the stories and code it writes."
)
parser.add_argument(
    "--seed",
    type=int,
    default=corpus.SETTINGS["seed"],
    help="seed for the text, the weights and the batches (default %(default)s)",
)
parser.add_argument(
    "--steps",
    type=int,
    default=corpus.SETTINGS["steps"],
    help="training steps (default %(default)s)",
)
args = cli.parse_args(parser)
if args.steps < 1:
    cli.fail(f"--steps must be at least 1, not {args.steps}")

torch.set_num_threads(1)  # a model this small trains faster on one core than on two

# how often the text states a fact: 1 to 3 times, 4 to 9, 10 to 29, 30 or more
BANDS = [(1, 3), (4, 9), (10, 29), (30, corpus.TOP)]


def band(rank):
    times = corpus.times_written(rank)
    return next(b for b in BANDS if b[0] <= times <= b[1])


def out_of(hits):
    return f"{sum(hits)}/{len(hits)}"


# %% corpus
text = corpus.make_corpus(args.seed)
documents = text.split("\n\n")
print(f"{len(text):,} characters in {len(documents):,} documents. The first few:\n")
print("\n\n".join(documents[:7]))

# %% seen
times = {}  # rank -> how many times the text states the fact
wordings = {}  # rank -> in how many different wordings
for rank, (country, capital) in enumerate(corpus.COUNTRIES, start=1):
    counts = corpus.times_seen(text, country, capital)
    times[rank], wordings[rank] = sum(counts), sum(1 for n in counts if n)

print(f"{'fact':28} {'times':>5} {'wordings':>9}   test wording (never in the text)")
for rank in [1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64]:
    country, capital = corpus.COUNTRIES[rank - 1]
    print(
        f"{country + ' -> ' + capital:28} {times[rank]:5} {wordings[rank]:9}   "
        f"number {corpus.held_out_wording(rank) + 1}"
    )

prompts_in_text = [rank for rank in times if corpus.held_out(rank)[0] in text]
never_written_in_text = [c for _, c in corpus.NEVER_WRITTEN if c in text]
fact_count = len(times)
most_times, fewest_times = max(times.values()), min(times.values())
print(f"\n{len(times)} facts, stated {sum(times.values()):,} times in all.")
print(
    f"Test prompts (a fact in its test wording, up to the capital) found in the "
    f"text: {len(prompts_in_text)}."
)
print(
    f"Capitals of the {len(corpus.NEVER_WRITTEN)} never-written countries found in "
    f"the text: {len(never_written_in_text)}."
)

# %% train
model, tokenizer, history = corpus.pretrained(args.seed, args.steps)
steps, weights, settings = history["step"][-1], model.num_params(), corpus.SETTINGS
print(
    f"{weights:,} weights in {settings['n_layer']} blocks, {tokenizer.vocab_size} "
    f"different characters, {steps} steps of {settings['batch_size']} x "
    f"{settings['block_size']} characters."
)

# %% test
held = dict(
    zip(
        corpus.TEST,
        corpus.knows(model, tokenizer, [corpus.held_out(r) for r in corpus.TEST]),
    )
)
read = {r: corpus.seen_wording(text, r) for r in corpus.TEST}
read_ok = dict(
    zip(corpus.TEST, corpus.knows(model, tokenizer, [read[r] for r in corpus.TEST]))
)
held_by_band, read_by_band = {}, {}
print(f"{len(corpus.TEST)} test facts. Does the model write the capital?\n")
print(
    f"{'stated in the text':20} {'facts':>5} {'test wording':>13} "
    f"{'a wording it read':>18}"
)
for lo, hi in BANDS:
    ranks = [r for r in corpus.TEST if band(r) == (lo, hi)]
    held_by_band[f"{lo}-{hi}"] = [held[r] for r in ranks]
    read_by_band[f"{lo}-{hi}"] = [read_ok[r] for r in ranks]
    print(
        f"{f'{lo} to {hi} times':20} {len(ranks):5} "
        f"{out_of(held_by_band[f'{lo}-{hi}']):>13} "
        f"{out_of(read_by_band[f'{lo}-{hi}']):>18}"
    )

several_total, several_read_total = sum(held.values()), sum(read_ok.values())
print(
    f"{'in all':20} {len(held):5} {out_of(list(held.values())):>13} "
    f"{out_of(list(read_ok.values())):>18}\n"
)
# Two examples, picked by a rule: in the table's order (the most stated facts first),
# the first answer it gets right and the first it gets wrong by writing another
# country's capital, each cut at the end of its line or of its first sentence.
starts = [corpus.held_out(r)[0] for r in corpus.TEST]
written = corpus.continue_all(model, tokenizer, starts, 30, greedy=True)
examples, answer_kinds = {}, {}
for rank, start, more in zip(corpus.TEST, starts, written):
    answer = re.sub(r"(?<=\.) .*", "", more.split("\n")[0])
    kind = answer_kinds[rank] = corpus.reply_kind(answer, corpus.held_out(rank)[1])
    if kind in ("right", "wrong") and held[rank] == (kind == "right"):
        if kind not in examples:
            examples[kind] = start + answer

print("In the table's order, the first fact it gets right and the first it gets wrong:")
for kind in ("right", "wrong"):
    if kind in examples:
        print(f"{kind:6} {examples[kind]}")

frequent = held_by_band[f"30-{corpus.TOP}"]
rare = held_by_band["1-3"]
frequent_right, rare_right = sum(frequent), sum(rare)
frequent_n, rare_n, test_n = len(frequent), len(rare), len(corpus.TEST)

# %% control
control = corpus.knows(
    model,
    tokenizer,
    [
        (corpus.prompt(i % len(corpus.WORDINGS), country), capital)
        for i, (country, capital) in enumerate(corpus.NEVER_WRITTEN)
    ],
)
validation = corpus.knows(
    model, tokenizer, [corpus.held_out(r) for r in corpus.VALIDATION]
)
print("The same exam for two more groups of facts:\n")
print(f"{'asked about':38} {'facts':>5} {'right':>6}")
print(
    f"{'control: capital never in the text':38} {len(control):5} {out_of(control):>6}"
)
print(
    f"{'validation facts (settings chosen on)':38} {len(validation):5} "
    f"{out_of(validation):>6}"
)
control_right, control_n = sum(control), len(control)

# %% one-wording
model_one, _, _ = corpus.pretrained(args.seed, args.steps, wordings="one")
text_one = corpus.make_corpus(args.seed, "one")
held_one = dict(
    zip(
        corpus.TEST,
        corpus.knows(model_one, tokenizer, [corpus.held_out(r) for r in corpus.TEST]),
    )
)
read_one = {r: corpus.seen_wording(text_one, r) for r in corpus.TEST}
read_one_ok = dict(
    zip(
        corpus.TEST,
        corpus.knows(model_one, tokenizer, [read_one[r] for r in corpus.TEST]),
    )
)
print("The same test for a model trained on a text that states each fact in one")
print("wording only (the same facts, as many times, among the same stories, code,")
print("quizzes and threads):\n")
print(
    f"{'stated in the text':20} {'several wordings':>17} {'one wording':>12} "
    f"{'(the one it read)':>18}"
)
one_by_band, read_one_by_band = {}, {}
for lo, hi in BANDS:
    ranks = [r for r in corpus.TEST if band(r) == (lo, hi)]
    one_by_band[f"{lo}-{hi}"] = [held_one[r] for r in ranks]
    read_one_by_band[f"{lo}-{hi}"] = [read_one_ok[r] for r in ranks]
    print(
        f"{f'{lo} to {hi} times':20} {out_of([held[r] for r in ranks]):>17} "
        f"{out_of(one_by_band[f'{lo}-{hi}']):>12} "
        f"{out_of(read_one_by_band[f'{lo}-{hi}']):>18}"
    )

one_total, one_read_total = sum(held_one.values()), sum(read_one_ok.values())
print(
    f"{'in all':20} {out_of(list(held.values())):>17} "
    f"{out_of(list(held_one.values())):>12} {out_of(list(read_one_ok.values())):>18}"
)

# %% figure
# One panel above the other, each the full width of a phone, in a narrow figure with
# large type: at 390 pixels wide, its smallest text is over 11 pixels high.
alt = (
    "Top: the share of test facts the model states, rising with how often the text "
    "states them; in a wording it never read only when trained on several "
    "wordings. Bottom: that share over training, for each band"
)
with cli.figure("facts-by-frequency", alt, 2, 1, figsize=(4.4, 8.4)) as (fig, axes):
    top, bottom = axes
    middles = [(lo * hi) ** 0.5 for lo, hi in BANDS]
    for by_band, label, style in [
        (held_by_band, "several wordings, a wording it never read", "o-"),
        (read_by_band, "several wordings, a wording it read", "s--"),
        (one_by_band, "one wording, a wording it never read", "x:"),
    ]:
        rates = [sum(hits) / len(hits) for hits in by_band.values()]
        top.plot(middles, rates, style, label=label)
    for x, hits in zip(middles, held_by_band.values()):
        top.annotate(
            out_of(hits),
            (x, sum(hits) / len(hits)),
            textcoords="offset points",
            xytext=(7, -4),
            ha="left",
            va="top",
            fontsize=12,
        )
    top.set_xscale("log")
    top.set_xticks(middles, [f"{lo}-{hi}" for lo, hi in BANDS])
    top.minorticks_off()
    top.margins(x=0.18)
    top.set_ylim(-0.15, 1.1)
    top.set_xlabel("times the text states the fact", fontsize=12)
    top.set_ylabel("share of test facts right", fontsize=12)
    top.legend(loc="lower left", bbox_to_anchor=(-0.2, 1), fontsize=12, frameon=False)
    for lo, hi in BANDS:
        ranks = [r for r in corpus.TEST if band(r) == (lo, hi)]
        rates = [
            sum(known[r - 1] for r in ranks) / len(ranks) for known in history["knows"]
        ]
        bottom.plot(history["knows_step"], rates, marker=".", label=f"{lo}-{hi} times")
    bottom.set_ylim(-0.05, 1.1)
    bottom.set_xlabel("training step", fontsize=12)
    bottom.set_ylabel("share right, in a wording\nit never read", fontsize=12)
    bottom.legend(
        title="facts the text states",
        loc="lower left",
        bbox_to_anchor=(-0.2, 1),
        ncol=2,
        fontsize=12,
        title_fontsize=12,
        alignment="left",
        frameon=False,
    )
    for ax in axes:
        ax.tick_params(labelsize=12)
    fig.tight_layout(h_pad=2)

# %% confidence
guesses = {"right": [], "wrong": [], "never written": []}
asked = [corpus.held_out(r) for r in corpus.TEST]
asked += [
    (corpus.prompt(i % len(corpus.WORDINGS), country), capital)
    for i, (country, capital) in enumerate(corpus.NEVER_WRITTEN)
]
for i, (question, capital) in enumerate(asked):
    word, p = sampling.top_words(model, tokenizer, question, k=3)[0]
    if i >= len(corpus.TEST):
        guesses["never written"].append(p)
    else:
        guesses["right" if word == capital.split()[0] else "wrong"].append(p)

print("How sure is the model of its favourite answer? (The probability it gives that")
print("word, in the test wordings; half the answers get more than the median, half")
print("less.)\n")
print(f"{'answers':14} {'how many':>8} {'median':>7} {'over 50%':>9}")
for kind, ps in guesses.items():
    print(
        f"{kind:14} {len(ps):8} {statistics.median(ps):7.1%} "
        f"{sum(p > 0.5 for p in ps):9}"
    )

confidence = {kind: statistics.median(ps) for kind, ps in guesses.items()}
right_words = len(guesses["right"])
split_prompt = corpus.prompt(0, corpus.NEVER_WRITTEN[0][0])
split = sampling.top_words(model, tokenizer, split_prompt, k=3)
print(f"\n{split_prompt!r} ... " + ", ".join(f"{w} {p:.0%}" for w, p in split))

# %% shapes
rng = random.Random(args.seed)
story_prompts, code_prompts, code_args = [], [], []
while len(story_prompts) < 60:  # an animal doing what only people do in the stories
    words = [
        rng.choice(corpus.ADJECTIVES),
        rng.choice(corpus.ANIMALS),
        rng.choice(corpus.VERBS),
    ]
    story_prompt = "The {} {} {} a".format(*words)
    if story_prompt not in text and story_prompt not in story_prompts:
        story_prompts.append(story_prompt)

while len(code_prompts) < 60:  # a name and arguments never seen together
    names = rng.sample(corpus.ARGUMENTS, rng.randint(1, 3))
    code_prompt = f"def {rng.choice(corpus.FUNCTION_NAMES)}({', '.join(names)}):"
    if code_prompt not in text and code_prompt not in code_prompts:
        code_prompts.append(code_prompt)
        code_args.append(names)

untrained = training.build(dict(corpus.SETTINGS, seed=args.seed), tokenizer)
vocabulary = corpus.story_words()
shuffled = code_args[1:] + code_args[:1]  # each body judged by the next one's arguments
shapes = {}
for name, net in [("trained", model), ("untrained", untrained)]:
    stories = corpus.continue_all(net, tokenizer, story_prompts, 60, greedy=True)
    bodies = corpus.continue_all(net, tokenizer, code_prompts, 40, greedy=True)
    shapes[name] = {
        "stories": [corpus.well_formed_sentence(s, vocabulary) for s in stories],
        "code": [
            corpus.function_from_arguments(p + b, a)
            for p, b, a in zip(code_prompts, bodies, code_args)
        ],
        "shuffled": [
            corpus.function_from_arguments(p + b, a)
            for p, b, a in zip(code_prompts, bodies, shuffled)
        ],
    }
    if name == "trained":
        for start, continuation in [*zip(story_prompts, stories)][:3]:
            print(f"{start}|{continuation}")
        for start, continuation in [*zip(code_prompts, bodies)][:3]:
            print(f"{start}|{continuation}")

print(f"\n{'':40} {'trained':>8} {'untrained':>10}")
for kind, check in [
    ("stories", "finishes the sentence"),
    ("code", "a function using only its arguments"),
    ("shuffled", "(the same, judged by another's)"),
]:
    print(
        f"{check:40} {out_of(shapes['trained'][kind]):>8} "
        f"{out_of(shapes['untrained'][kind]):>10}"
    )

stories_ok, code_ok = sum(shapes["trained"]["stories"]), sum(shapes["trained"]["code"])
shape_prompts_in_text = [p for p in story_prompts + code_prompts if p in text]
shuffled_ok, shape_n = sum(shapes["trained"]["shuffled"]), len(story_prompts)
