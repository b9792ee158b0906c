"""It learns things anyway: trained only to predict the next character of a made-up
corpus, a tiny model ends up completing facts, stories and code.

    python snippets/facts.py                   # about half a minute on a laptop CPU
    python snippets/facts.py --seed 7 --steps 300
"""
import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import matplotlib.pyplot as plt
import torch

import corpus
import sampling

parser = cli.Parser(description="Train a tiny model on a made-up corpus and watch it "
                                "pick up facts, story shapes and code shapes.")
parser.add_argument("--seed", type=int, default=corpus.SETTINGS["seed"],
                    help="seed for the corpus, the weights and the batches "
                         "(default %(default)s)")
parser.add_argument("--steps", type=int, default=corpus.SETTINGS["steps"],
                    help="training steps (default %(default)s)")
args = cli.parse_args(parser)
if args.steps < 1:
    cli.fail(f"--steps must be at least 1, not {args.steps}")
torch.set_num_threads(1)  # a model this small trains faster on one core than on two


def readable(p):
    return f"{p:.1%}" if p >= 0.001 else f"{p:.0e}"


# %% corpus
text = corpus.make_corpus(args.seed)
paris_sentences = text.count("the capital of France is Paris.")
italian_mentions = text.count("Italian")
fact_count = sum(len(pairs) for _, _, pairs in corpus.FACTS)
print(f"{len(text):,} characters of made-up text. It starts like this:\n")
print("\n\n".join(text.split("\n\n")[:5]))
print("...\n")
print(f'"the capital of France is Paris." appears {paris_sentences} times; '
      f'"Italian" appears {italian_mentions} times.')

# %% train
steps = args.steps
model, tokenizer, history = corpus.pretrained(args.seed, steps)
vocab = tokenizer.vocab_size
print(f"{model.num_params():,} weights, {vocab} different characters, {steps} steps.\n")
print(f"{'completion':38} {'blind guess':>12} {'step 0':>10} {f'step {steps}':>10}")
for (prompt, answer), probs in zip(corpus.TRACKED, history["probs"]):
    chance = (1 / vocab) ** len(answer)  # 1 in vocab, once for each character
    completion = f"{prompt} {answer.strip()}"
    print(f"{completion:38} {readable(chance):>12} {readable(probs[0]):>10} "
          f"{readable(probs[-1]):>10}")
p_paris_start, p_paris_end = history["probs"][0][0], history["probs"][0][-1]
paris_blind_odds = round(vocab ** len(" Paris"))  # blind guessing: once in this many
settings = corpus.SETTINGS
p_unseen_end = history["probs"][-1][-1]
kitten = corpus.TRACKED.index(("a baby cat is called a", " kitten"))
p_kitten_end = history["probs"][kitten][-1]

# %% figure
alt = ("The probability of each right answer over training steps, on a log scale: each "
       "starts near blind guessing and all but the unseen fact climb towards 1")
fig, ax = plt.subplots(figsize=(7.5, 4), num=alt)
for (prompt, answer), probs in zip(corpus.TRACKED, history["probs"]):
    style = ":" if (prompt, answer) == corpus.UNSEEN_FACT else "-"
    label = f"{prompt} {answer.strip()}"
    ax.plot(history["probs_step"], probs, style, marker=".", label=label)
ax.set_yscale("log")
ax.set_xlabel("training step")
ax.set_ylabel("probability of the right answer")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
cli.save_figure(fig, "facts-during-training")

# %% paris
capitals = [city for shape, _, pairs in corpus.FACTS if shape == "the capital of {} is"
            for _, city in pairs]
capital_guesses, any_capital = {}, {}
for prompt in ["the capital of France is", "the capital of Japan is"]:
    guesses = sampling.top_words(model, tokenizer, prompt + " ")
    print(f"{prompt} ... " + ", ".join(f"{word} {readable(p)}" for word, p in guesses))
    any_capital[prompt] = corpus.any_of(model, tokenizer, prompt, capitals)
    print(f"    one of the {len(capitals)} capitals, any of them: "
          f"{readable(any_capital[prompt])}")
    capital_guesses[prompt] = guesses
p_any_capital = any_capital["the capital of France is"]

# %% unseen
prompt, answer = corpus.UNSEEN_FACT
languages = [spoken for shape, _, pairs in corpus.FACTS
             if shape == "in {}, people speak" for _, spoken in pairs]
unseen_guesses = sampling.top_words(model, tokenizer, prompt + " ")
for word, p in unseen_guesses:
    print(f"{prompt} {word:10} {readable(p):>6}")
print(f"{prompt} {answer.strip():10} {readable(p_unseen_end):>6}  (the right answer)")
any_language = corpus.any_of(model, tokenizer, prompt, languages)
print(f"one of the {len(languages)} languages it has read about, any of them: "
      f"{readable(any_language)}")

# %% shapes
dice = torch.Generator().manual_seed(args.seed)
shapes = {}
for prompt in ["She opened the door and saw a", "the little fox", "def area(w, h):",
               "def volume("]:
    ids = sampling.generate(model, tokenizer.encode(prompt), 80, temperature=0.8,
                            generator=dice)
    shapes[prompt] = tokenizer.decode(ids).split("\n\n")[0]  # up to the document's end
    print(shapes[prompt], end="\n\n")
