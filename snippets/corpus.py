"""A made-up training corpus, written by our own seeded code: stories, facts, tiny code
and quiz sheets.

Nothing here is downloaded and nothing is hard-coded into a model: the facts below only
ever reach the model as sentences in the text it is trained on. Also here: the small
model that the chapters "It learns things anyway" and "It's just autocomplete" train on
this corpus, and share through out/.

Library module: importing it does nothing.
"""
import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import hashlib
import random
import sys
from pathlib import Path

import torch

import training
from sampling import next_token_probs

# Every fact in the corpus: the sentence it is written as, the question that asks for
# it, and the pairs that fill both in. "the capital of {} is" + ("France", "Paris") ->
# "the capital of France is Paris."
FACTS = [
    ("the capital of {} is", "what is the capital of {}?", [
        ("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"),
        ("Egypt", "Cairo"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"),
        ("Germany", "Berlin"), ("Greece", "Athens"), ("Norway", "Oslo"),
        ("Cuba", "Havana"), ("Chile", "Santiago"),
    ]),
    ("in {}, people speak", "what language do people speak in {}?", [
        ("France", "French"), ("Japan", "Japanese"), ("Germany", "German"),
        ("Greece", "Greek"), ("Chile", "Spanish"), ("Egypt", "Arabic"),
    ]),
    ("the opposite of {} is", "what is the opposite of {}?", [
        ("hot", "cold"), ("up", "down"), ("big", "small"), ("fast", "slow"),
        ("happy", "sad"), ("full", "empty"),
    ]),
    ("a baby {} is called a", "what is a baby {} called?", [
        ("cat", "kitten"), ("dog", "puppy"), ("cow", "calf"), ("sheep", "lamb"),
        ("duck", "duckling"), ("frog", "tadpole"),
    ]),
]

# Italy is in the corpus (its capital is Rome), but what people speak there never is.
UNSEEN_FACT = ("in Italy, people speak", " Italian")

NAMES = ["she", "he", "Anna", "Tom", "Mia", "Leo", "the girl", "the old man",
         "the king", "the little fox"]
THINGS = ["dragon", "cat", "box", "letter", "ghost", "garden", "candle", "map", "bird",
          "door", "key", "boat"]
PLACES = ["forest", "kitchen", "castle", "village", "garden", "cave", "market", "tower",
          "river", "school"]
FEELINGS = ["tired", "happy", "scared", "hungry", "curious", "sad", "brave", "lonely"]
ANIMALS = ["fox", "owl", "rabbit", "bear", "mouse", "frog", "wolf", "duck"]
ADJECTIVES = ["small", "clever", "grumpy", "sleepy", "kind", "tiny", "brave", "old"]

FUNCTIONS = [
    ("area", "w, h", "w * h"), ("add", "a, b", "a + b"), ("double", "x", "x * 2"),
    ("square", "x", "x * x"), ("half", "x", "x / 2"),
    ("perimeter", "w, h", "2 * (w + h)"), ("mean", "a, b", "(a + b) / 2"),
    ("diff", "a, b", "a - b"), ("cube", "x", "x * x * x"),
    ("volume", "w, h, d", "w * h * d"), ("inc", "n", "n + 1"), ("neg", "x", "-x"),
]


def story(rng):
    """Two to four sentences about someone, somewhere, finding something."""
    templates = [
        "{who} opened the door and saw a {thing}.",
        "{who} walked into the {place} and found a {thing}.",
        "once upon a time, a {adj} {animal} lived in a {place}.",
        "{who} was very {feeling} and went to the {place}.",
        "the {animal} looked at the {thing} and felt {feeling}.",
        "in the {place}, {who} saw a {adj} {animal}.",
        "{who} picked up the {thing} and ran to the {place}.",
    ]
    who = rng.choice(NAMES)
    sentences = []
    for _ in range(rng.randint(2, 4)):
        sentence = rng.choice(templates).format(
            who=who, thing=rng.choice(THINGS), place=rng.choice(PLACES),
            feeling=rng.choice(FEELINGS), animal=rng.choice(ANIMALS),
            adj=rng.choice(ADJECTIVES))
        sentences.append(sentence[0].upper() + sentence[1:])
    return " ".join(sentences)


def facts(rng):
    """Three to six sentences from the fact table: 'the capital of France is Paris.'"""
    sentences = [f"{shape.format(subject)} {answer}."
                 for shape, _, pairs in FACTS for subject, answer in pairs]
    return "\n".join(rng.sample(sentences, rng.randint(3, 6)))


def code(rng):
    """Two to four one-line Python functions: 'def area(w, h): return w * h'."""
    return "\n".join(f"def {name}({args}): return {body}"
                     for name, args, body in rng.sample(FUNCTIONS, rng.randint(2, 4)))


def quiz(rng):
    """A quiz sheet: questions from the fact table, one a line, answers nowhere near
    (like much of the web)."""
    questions = [question.format(subject)
                 for _, question, pairs in FACTS for subject, _ in pairs]
    return "\n".join(rng.sample(questions, rng.randint(5, 8)))


def make_corpus(seed=0, documents=6000):
    """The pretraining text: a seeded mix of stories, fact lists, code and quiz sheets,
    one blank line apart."""
    rng = random.Random(seed)
    # facts thrice: there are many to pick up
    kinds = [story, facts, facts, facts, code, quiz]
    return "\n\n".join(rng.choice(kinds)(rng) for _ in range(documents)) + "\n"


def qa_text(leave_out, seed=0, documents=2000):
    """Question/answer-shaped text for the post-training step: each question is followed
    by its answer.

    Questions in `leave_out` never appear, so the answers to them must come from
    pretraining.
    """
    rng = random.Random(seed)
    pairs = [(question.format(subject), f"{shape.format(subject)} {answer}.")
             for shape, question, table in FACTS for subject, answer in table
             if question.format(subject) not in leave_out]
    docs = ["{}\n{}".format(*rng.choice(pairs)) for _ in range(documents)]
    return "\n\n".join(docs) + "\n"


# The model both chapters train on this corpus: small enough to learn it on a laptop CPU
# in well under a minute.
SETTINGS = dict(n_layer=2, n_head=4, n_embd=96, block_size=48, dropout=0.0, steps=500,
                batch_size=32, lr=1e-2, min_lr=1e-3, warmup=50, weight_decay=0.1,
                seed=1337, heldout_fraction=0.1)

# The facts whose probability is followed during training; the last one is never in the
# corpus.
TRACKED = [
    ("the capital of France is", " Paris"), ("the capital of Japan is", " Tokyo"),
    ("the opposite of hot is", " cold"), ("a baby cat is called a", " kitten"),
    ("in Egypt, people speak", " Arabic"), UNSEEN_FACT,
]


def answer_probability(model, tokenizer, prompt, answer):
    """How likely the model is to continue prompt with exactly answer: the product of
    its characters' probabilities."""
    ids, p = tokenizer.encode(prompt), 1.0
    for i in tokenizer.encode(answer):
        p *= float(next_token_probs(model, ids)[i])
        ids.append(i)
    return p


def any_of(model, tokenizer, prompt, words):
    """How likely the model is to continue prompt with a space and any of the words."""
    return sum(answer_probability(model, tokenizer, prompt, " " + w) for w in words)


def pretrained(seed=SETTINGS["seed"], steps=SETTINGS["steps"]):
    """(model, tokenizer, history) of the model trained on make_corpus(seed): loaded
    from out/ if this very run was saved before, trained (and saved) now if not.
    Training is deterministic, so both ways give the same model.

    history is training.train's loss history plus "probs": for each fact in TRACKED, its
    probability before training and at every evaluation (at the steps in "probs_step").
    """
    # What the saved run depends on beyond gpt.py and training.py (training.fingerprint
    # covers those): this file and sampling.py.
    code = hashlib.sha256(Path(__file__).read_bytes())
    code.update((cli.SNIPPETS / "sampling.py").read_bytes())
    settings = dict(SETTINGS, seed=seed, steps=steps, tracked=TRACKED,
                    code=code.hexdigest()[:16])
    text = make_corpus(seed)
    path = cli.OUT / f"facts-{training.fingerprint(settings, text)}.pt"
    if path.is_file():
        model, tokenizer, checkpoint = training.load(path)
        return model, tokenizer, checkpoint["history"]

    print(f"training the facts model ({steps} steps), to be saved as {cli.shown(path)}",
          file=sys.stderr)
    torch.set_num_threads(training.THREADS)
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, val_ids = training.split(text, tokenizer, settings["heldout_fraction"])
    model = training.build(settings, tokenizer)
    probs = [[] for _ in TRACKED]

    def track(step, history):
        for p, (prompt, answer) in zip(probs, TRACKED):
            p.append(answer_probability(model, tokenizer, prompt, answer))
        model.train()  # answer_probability left it in eval mode

    track(0, None)
    history = training.train(model, train_ids, val_ids, settings,
                             eval_every=max(1, steps // 20), on_eval=track)
    history["probs_step"] = [0] + history["step"]
    history["probs"] = probs
    training.save(path, model, tokenizer, settings, text, history)
    return model, tokenizer, history
