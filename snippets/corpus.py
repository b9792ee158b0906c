"""A made-up web, written by our own seeded code: stories, code, quizzes, discussions,
and scattered through them, facts about capital cities.

Nothing here is downloaded and nothing is hard-coded into a model: the facts only ever
reach the model as sentences in the text it trains on. Like facts on the real web,
they come in several wordings, a few of them very often and many rarely. Also here:
the model that the chapters "It learns things anyway" and "It's just autocomplete"
train on this text (saved in out/ and shared), and the tools both chapters use to
question it.

Library module: importing it does nothing.
"""

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import ast
import random
import re
import sys

import torch

import training

# The facts: countries and their capitals, the ones the web writes about most first.
COUNTRIES = [
    ("France", "Paris"),
    ("Japan", "Tokyo"),
    ("Italy", "Rome"),
    ("Germany", "Berlin"),
    ("Spain", "Madrid"),
    ("Russia", "Moscow"),
    ("China", "Beijing"),
    ("Egypt", "Cairo"),
    ("Canada", "Ottawa"),
    ("Greece", "Athens"),
    ("India", "New Delhi"),
    ("Australia", "Canberra"),
    ("Ireland", "Dublin"),
    ("Portugal", "Lisbon"),
    ("Austria", "Vienna"),
    ("Turkey", "Ankara"),
    ("Argentina", "Buenos Aires"),
    ("Peru", "Lima"),
    ("Norway", "Oslo"),
    ("Sweden", "Stockholm"),
    ("Poland", "Warsaw"),
    ("Kenya", "Nairobi"),
    ("Cuba", "Havana"),
    ("Chile", "Santiago"),
    ("Thailand", "Bangkok"),
    ("South Korea", "Seoul"),
    ("Hungary", "Budapest"),
    ("Denmark", "Copenhagen"),
    ("Finland", "Helsinki"),
    ("Belgium", "Brussels"),
    ("the Netherlands", "Amsterdam"),
    ("Czechia", "Prague"),
    ("Iran", "Tehran"),
    ("Iraq", "Baghdad"),
    ("Vietnam", "Hanoi"),
    ("Indonesia", "Jakarta"),
    ("the Philippines", "Manila"),
    ("Colombia", "Bogota"),
    ("Venezuela", "Caracas"),
    ("Morocco", "Rabat"),
    ("Nigeria", "Abuja"),
    ("Ghana", "Accra"),
    ("Ethiopia", "Addis Ababa"),
    ("Switzerland", "Bern"),
    ("Romania", "Bucharest"),
    ("Ukraine", "Kyiv"),
    ("Iceland", "Reykjavik"),
    ("New Zealand", "Wellington"),
    ("Syria", "Damascus"),
    ("Lebanon", "Beirut"),
    ("Jordan", "Amman"),
    ("Saudi Arabia", "Riyadh"),
    ("Pakistan", "Islamabad"),
    ("Afghanistan", "Kabul"),
    ("Bangladesh", "Dhaka"),
    ("Nepal", "Kathmandu"),
    ("Malaysia", "Kuala Lumpur"),
    ("Cambodia", "Phnom Penh"),
    ("Ecuador", "Quito"),
    ("Uruguay", "Montevideo"),
    ("Bulgaria", "Sofia"),
    ("Serbia", "Belgrade"),
    ("Croatia", "Zagreb"),
    ("Slovakia", "Bratislava"),
]
# Countries the text names (in stories, quizzes) but whose capitals it never writes.
NEVER_WRITTEN = [
    ("Estonia", "Tallinn"),
    ("Latvia", "Riga"),
    ("Lithuania", "Vilnius"),
    ("Jamaica", "Kingston"),
    ("Qatar", "Doha"),
    ("Libya", "Tripoli"),
    ("Sudan", "Khartoum"),
    ("Senegal", "Dakar"),
    ("Uganda", "Kampala"),
    ("Zimbabwe", "Harare"),
    ("Zambia", "Lusaka"),
    ("Angola", "Luanda"),
    ("Mongolia", "Ulaanbaatar"),
    ("Georgia", "Tbilisi"),
    ("Armenia", "Yerevan"),
    ("Cyprus", "Nicosia"),
    ("Malta", "Valletta"),
    ("Kazakhstan", "Astana"),
    ("Uzbekistan", "Tashkent"),
    ("Laos", "Vientiane"),
    ("Somalia", "Mogadishu"),
    ("Rwanda", "Kigali"),
    ("Namibia", "Windhoek"),
    ("Mali", "Bamako"),
]

# How often the text states each fact: from TOP times for the most written about down to
# once for the least, evenly spread on a logarithmic scale (as many facts stated 1 to 3
# times as 30 to 100 times): a few facts are everywhere, a long tail is rare.
TOP = 150

# The ways the text states a fact; the country always comes before its capital. Each
# fact is held out of one of them, its test wording (held_out_wording).
WORDINGS = [
    "The capital of {c} is {a}.",
    "{c}'s capital city is {a}.",
    "{who} flew to {c} and landed in its capital, {a}.",
    "{c} (capital: {a})",
    'capital["{c}"] = "{a}"',
]
# One more: a question, answered on the next line (a kind of page the web has too).
QUESTION = "what is the capital of {c}?"
ANSWERS = ["{a}.", "It's {a}.", "{a}, I think."]
# What else follows a question: more questions, or talk that doesn't answer it.
REPLIES = [
    "no idea, sorry.",
    "I don't know, I always mix them up.",
    "good question, I was going to ask the same.",
    "why do you need it?",
    "look it up, it's on the map.",
    "does anyone know? it's for homework.",
]

NAMES = [
    "Anna",
    "Tom",
    "Mia",
    "Leo",
    "Sara",
    "Ben",
    "Nina",
    "Omar",
    "Lucy",
    "Ivan",
    "Yusuf",
    "Grace",
    "Hugo",
    "Zoe",
    "Quinn",
    "Uma",
    "Victor",
    "Wendy",
    "Xavier",
    "Jack",
    "Kate",
    "Dan",
    "Eva",
    "Felix",
    "Paul",
]
ANIMALS = [
    "fox",
    "owl",
    "rabbit",
    "bear",
    "mouse",
    "frog",
    "wolf",
    "duck",
    "cat",
    "goat",
]
ADJECTIVES = [
    "small",
    "clever",
    "grumpy",
    "sleepy",
    "kind",
    "tiny",
    "brave",
    "quiet",
    "shy",
    "lazy",
]
THINGS = [
    "box",
    "letter",
    "candle",
    "map",
    "key",
    "boat",
    "hat",
    "lamp",
    "coin",
    "shoe",
    "book",
    "cake",
]
PLACES = [
    "forest",
    "kitchen",
    "castle",
    "village",
    "garden",
    "cave",
    "market",
    "tower",
    "river",
    "school",
    "station",
    "library",
]
FEELINGS = ["tired", "happy", "scared", "hungry", "curious", "sad", "lonely", "proud"]
VERBS = ["found", "lost", "opened", "painted", "carried", "dropped", "hid", "fixed"]
STORY = [
    "{name} {verb} a {adj} {thing} in the {place}.",
    "{name} walked into the {place} and saw a {adj} {animal}.",
    "Once upon a time, a {adj} {animal} lived in a {place}.",
    "{name} was very {feeling} and went to the {place}.",
    "The {animal} looked at the {thing} and felt {feeling}.",
    "{name} dreamed of a trip to {country} one day.",
    "{name} had a postcard from a friend in {country}.",
]
FUNCTION_NAMES = [
    "area",
    "add",
    "total",
    "scale",
    "mix",
    "diff",
    "mean",
    "grow",
    "step",
    "size",
    "span",
    "gap",
    "fit",
    "turn",
]
ARGUMENTS = ["a", "b", "x", "y", "n", "w", "h", "k"]


def story(rng, facts=()):
    """Two to four sentences about someone (one or two around a fact); any fact
    sentences go in among them."""
    name = rng.choice(NAMES)
    country = rng.choice(COUNTRIES + NEVER_WRITTEN)[0]
    sentences = [
        rng.choice(STORY).format(
            name=name,
            verb=rng.choice(VERBS),
            adj=rng.choice(ADJECTIVES),
            thing=rng.choice(THINGS),
            place=rng.choice(PLACES),
            animal=rng.choice(ANIMALS),
            feeling=rng.choice(FEELINGS),
            country=country,
        )
        for _ in range(rng.randint(1, 2) if facts else rng.randint(2, 4))
    ]
    for fact in facts:
        sentences.insert(rng.randint(0, len(sentences)), fact)
    return " ".join(sentences)


def function(rng):
    """A one-line Python function whose body uses its own arguments:
    'def area(w, h): return w * h'."""
    args = rng.sample(ARGUMENTS, rng.randint(1, 3))
    body = rng.choice(args)
    for _ in range(rng.randint(1, 2)):
        body += f" {rng.choice('+-*')} {rng.choice(args + ['1', '2'])}"
    return f"def {rng.choice(FUNCTION_NAMES)}({', '.join(args)}): return {body}"


def code(rng, facts=()):
    """A few functions; any facts as lines of a dictionary."""
    lines = [function(rng) for _ in range(rng.randint(0 if facts else 1, 3))]
    if facts:
        lines += ["capital = {}", *facts]
    return "\n".join(lines)


def notes(rng, facts=()):
    """Travel notes: a wish or two, and any facts."""
    country = rng.choice(COUNTRIES + NEVER_WRITTEN)[0]
    return "\n".join([f"I would like to see {country} one day.", *facts])


def quiz(rng):
    """Questions, one a line, the answers nowhere near (like many pages of the web)."""
    picked = rng.sample(COUNTRIES + NEVER_WRITTEN, rng.randint(3, 6))
    lines = [QUESTION.format(c=country) for country, _ in picked]
    return "\n".join(["Geography quiz", *lines, "(answers on the back page)"])


def thread(rng):
    """A question and some talk about it that never answers it."""
    country = rng.choice(COUNTRIES + NEVER_WRITTEN)[0]
    replies = rng.sample(REPLIES, rng.randint(1, 2))
    return "\n".join([QUESTION.format(c=country), *replies])


def answered(rng, country, capital):
    """A question, answered on the next line, sometimes with a comment after."""
    lines = [QUESTION.format(c=country), rng.choice(ANSWERS).format(a=capital)]
    if rng.random() < 0.3:
        lines.append(rng.choice(REPLIES[2:]))
    return "\n".join(lines)


def times_written(rank):
    """How many times the text states the fact ranked `rank` (1: the most written
    about)."""
    return round(TOP ** (1 - (rank - 1) / (len(COUNTRIES) - 1)))


def held_out_wording(rank):
    """The wording (an index into WORDINGS) the text never states the fact ranked
    `rank` in."""
    return (rank - 1) % len(WORDINGS)


def fact_document(rng, wording, country, capital):
    """A document that states the fact once, in the given wording (len(WORDINGS): as an
    answered question)."""
    if wording == len(WORDINGS):
        return answered(rng, country, capital)
    sentence = WORDINGS[wording].format(c=country, a=capital, who=rng.choice(NAMES))
    if wording == 2:
        return story(rng, [sentence])
    if wording == 4:
        return code(rng, [sentence])
    return notes(rng, [sentence])


def make_corpus(
    seed=0, wordings="several", stories=150, codes=300, quizzes=150, threads=150
):
    """The pretraining text: every fact stated times_written(rank) times, each time in
    a wording picked at random from all but its held-out one (wordings="several"), or
    always in the same one of them (wordings="one"); among stories, code, quizzes and
    discussions, all shuffled, one blank line apart."""
    rng = random.Random(seed)
    documents = []
    for rank, (country, capital) in enumerate(COUNTRIES, start=1):
        # the answered question is a wording too (number len(WORDINGS))
        allowed = [w for w in range(len(WORDINGS) + 1) if w != held_out_wording(rank)]
        only = allowed[rank % len(allowed)]
        for _ in range(times_written(rank)):
            wording = rng.choice(allowed) if wordings == "several" else only
            documents.append(fact_document(rng, wording, country, capital))
    documents += [story(rng) for _ in range(stories)]
    documents += [code(rng) for _ in range(codes)]
    documents += [quiz(rng) for _ in range(quizzes)]
    documents += [thread(rng) for _ in range(threads)]
    rng.shuffle(documents)
    return "\n\n".join(documents) + "\n"


def prompt(wording, country, who=NAMES[0]):
    """The start of a fact sentence, up to where its capital goes."""
    return WORDINGS[wording].split("{a}")[0].format(c=country, who=who)


def wording_pattern(wording, country, capital):
    """A regular expression that finds the fact in this wording, whoever flew there."""
    if wording == len(WORDINGS):
        return (
            re.escape(QUESTION.format(c=country) + "\n")
            + "(?:It's )?"
            + re.escape(capital)
            + "[.,]"
        )
    fill = {
        "{c}": re.escape(country),
        "{a}": re.escape(capital),
        "{who}": "[A-Z][a-z]+",
    }
    return "".join(
        fill.get(part, re.escape(part))
        for part in re.split(r"(\{\w+\})", WORDINGS[wording])
    )


def times_seen(text, country, capital):
    """From the text itself: how many times each wording states the fact."""
    return [
        len(re.findall(wording_pattern(w, country, capital), text))
        for w in range(len(WORDINGS) + 1)
    ]


# The model both chapters train on this text: deeper and narrower than chapter 3's (four
# blocks of 64 numbers instead of two of 96), chosen on the validation facts; about a
# minute on one laptop core.
SETTINGS = dict(
    n_layer=4,
    n_head=4,
    n_embd=64,
    block_size=64,
    dropout=0.0,
    steps=1200,
    batch_size=32,
    lr=1e-2,
    min_lr=1e-3,
    warmup=50,
    weight_decay=0.1,
    seed=1337,
    heldout_fraction=0.05,
)

# The facts settings were chosen on (validation: odd ranks) and the facts the chapter
# reports (test: even ranks), which chose nothing.
VALIDATION = [rank for rank in range(1, len(COUNTRIES) + 1) if rank % 2 == 1]
TEST = [rank for rank in range(1, len(COUNTRIES) + 1) if rank % 2 == 0]


def held_out(rank):
    """(prompt, answer) for the fact ranked `rank`, in the wording the text never states
    it in."""
    country, capital = COUNTRIES[rank - 1]
    return prompt(held_out_wording(rank), country), capital


def seen_wording(text, rank):
    """(prompt, answer) for the fact in the sentence wording the text states it in most
    often; if it only comes as an answered question, the question and its line break."""
    country, capital = COUNTRIES[rank - 1]
    counts = times_seen(text, country, capital)[: len(WORDINGS)]
    most = max(range(len(WORDINGS)), key=lambda w: counts[w])
    if counts[most]:
        return prompt(most, country), capital
    return QUESTION.format(c=country) + "\n", capital


@torch.no_grad()
def knows(model, tokenizer, pairs):
    """For each (prompt, answer): would the model write exactly the answer next, taking
    its likeliest character each time? (At every character of the answer, is the right
    one its favourite?) One pass over all of them at once."""
    block = model.config.block_size
    rows = [tokenizer.encode(p + a)[-block:] for p, a in pairs]
    x = torch.zeros(len(rows), max(map(len, rows)), dtype=torch.long)
    for i, row in enumerate(rows):
        x[i, : len(row)] = torch.tensor(row)  # padded at the end: nothing reads ahead
    model.eval()
    favourite = model(x)[0].argmax(-1)
    return [
        all(
            favourite[i, j - 1] == row[j]
            for j in range(len(row) - len(answer), len(row))
        )
        for i, (row, (_, answer)) in enumerate(zip(rows, pairs))
    ]


@torch.no_grad()
def continue_all(
    model,
    tokenizer,
    prompts,
    n,
    temperature=1.0,
    greedy=False,
    generator=None,
    stop="\n",
):
    """What the model writes after each prompt: up to n characters or the stop
    character, picked like sampling.generate does, all prompts side by side."""
    block = model.config.block_size
    ids = [tokenizer.encode(p) for p in prompts]
    written = [[] for _ in prompts]
    model.eval()
    for _ in range(n):
        rows = [(i + w)[-block:] for i, w in zip(ids, written)]
        x = torch.zeros(len(rows), max(map(len, rows)), dtype=torch.long)
        for k, row in enumerate(rows):
            x[k, : len(row)] = torch.tensor(row)
        logits = model(x)[0][torch.arange(len(rows)), [len(r) - 1 for r in rows]]
        if greedy:
            picks = logits.argmax(-1)
        else:
            probs = torch.softmax(logits / temperature, -1)
            picks = torch.multinomial(probs, 1, generator=generator)[:, 0]
        for w, pick in zip(written, picks.tolist()):
            if not (w and tokenizer.decode(w[-1:]) == stop):
                w.append(pick)
    texts = [tokenizer.decode(w) for w in written]
    return [t.split(stop)[0] if stop in t else t for t in texts]


def well_formed_sentence(text, vocabulary):
    """Does text finish a sentence: a full stop within 60 characters, and before it
    only words the stories use?"""
    if "." not in text[:60]:
        return False
    words = re.findall(r"[^\s,]+", text[: text.index(".")])
    return all(word in vocabulary for word in words)


def function_from_arguments(line, args):
    """Is line one Python function whose body uses nothing but its own arguments?"""
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return False
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        return False
    names = {node.id for node in ast.walk(tree.body[0]) if isinstance(node, ast.Name)}
    return bool(names) and names <= set(args)


def story_words():
    """Every word the story generator can write."""
    parts = STORY + NAMES + ANIMALS + ADJECTIVES + THINGS + PLACES + FEELINGS + VERBS
    parts += [country for country, _ in COUNTRIES + NEVER_WRITTEN]
    return set(re.findall(r"[A-Za-z]+", " ".join(parts).replace("{", " {")))


def after_questions(text):
    """From the text itself: what the line after each question is. Its answer, another
    question, or something else."""
    found = {"its answer": 0, "another question": 0, "something else": 0}
    for document in text.split("\n\n"):
        lines = document.split("\n")
        for line, following in zip(lines, lines[1:]):
            asked = re.fullmatch(QUESTION.format(c="(.+)").replace("?", "\\?"), line)
            if not asked:
                continue
            capital = dict(COUNTRIES).get(asked.group(1))
            if capital and re.search(rf"\b{capital}\b", following):
                found["its answer"] += 1
            elif following.endswith("?"):
                found["another question"] += 1
            else:
                found["something else"] += 1
    return found


# Chapter 7: post-training. Example conversations in a chat format the pretraining text
# never uses: questions worded like a person would type them, answers from an assistant.
ASK = [
    "What's the capital of {c}?",
    "Which city is the capital of {c}?",
    "Do you know the capital of {c}?",
]
TELL = ["It's {a}.", "It is {a}."]
DONT_KNOW = ["I don't know.", "Sorry, I don't know that one."]
# Never-written countries: a third to teach "I don't know" on, a third to choose
# settings on, a third to test.
UNKNOWN_TAUGHT = NEVER_WRITTEN[0::3]
UNKNOWN_VALIDATION = NEVER_WRITTEN[1::3]
UNKNOWN_TEST = NEVER_WRITTEN[2::3]
# Known facts: conversations are about validation facts only (and only those the model
# can already answer); the questions asked afterwards split the test facts in two.
CHAT_VALIDATION = [rank for rank in TEST if rank % 4 == 2]
CHAT_TEST = [rank for rank in TEST if rank % 4 == 0]
POSTTRAINING = dict(steps=60, lr=5e-4, min_lr=5e-5, warmup=10)


def chat_prompt(question):
    return f"User: {question}\nAssistant:"


def posttraining_text(seed, taught, pretraining, documents=1200, answer_share=0.6):
    """Example conversations: answers about the facts ranked in `taught`, and "I don't
    know" about the UNKNOWN_TAUGHT countries; mixed with as much again of the
    pretraining text (so that the model keeps reading the web too), shuffled."""
    rng = random.Random(seed)
    mixed = []
    for _ in range(documents):
        if rng.random() < answer_share:
            country, capital = COUNTRIES[rng.choice(taught) - 1]
            reply = rng.choice(TELL).format(a=capital)
        else:
            country, reply = rng.choice(UNKNOWN_TAUGHT)[0], rng.choice(DONT_KNOW)
        mixed.append(chat_prompt(rng.choice(ASK).format(c=country)) + " " + reply)
    web = pretraining.split("\n\n")
    rng.shuffle(web)
    chars = sum(map(len, mixed))
    while chars > 0:
        mixed.append(web.pop())
        chars -= len(mixed[-1])
    rng.shuffle(mixed)
    return "\n\n".join(mixed) + "\n"


def reply_kind(reply, capital):
    """What a reply is: "right", "wrong" (it names another capital), "I don't know",
    or "no answer"."""
    if "don't know" in reply:
        return "I don't know"
    if re.search(rf"\b{re.escape(capital)}\b", reply):
        return "right"
    if any(re.search(rf"\b{re.escape(other)}\b", reply) for _, other in COUNTRIES):
        return "wrong"
    return "no answer"


def pretrained(seed=SETTINGS["seed"], steps=None, wordings="several"):
    """(model, tokenizer, history) of the model trained on make_corpus(seed, wordings)
    for steps (default SETTINGS["steps"]): loaded from out/ if this very run was saved
    before, trained (and saved) now if not. Training is deterministic, so both ways give
    the same model.

    history: training.train's loss history, plus "knows": before training (step 0) and
    at every evaluation (the steps in "knows_step"), for each fact, whether the model
    would write its capital in its held-out wording.
    """
    steps = steps or SETTINGS["steps"]
    # What the saved run depends on beyond gpt.py, training.py, the settings and the
    # text (training.fingerprint covers those): this file.
    code = cli.code_key("corpus.py")
    settings = dict(SETTINGS, seed=seed, steps=steps, wordings=wordings, code=code)
    text = make_corpus(seed, wordings)
    key = training.fingerprint(settings, text)
    path = cli.OUT / f"facts-{key}.pt"

    def make():
        print(
            f"training the facts model ({steps} steps), to keep as {cli.shown(path)}",
            file=sys.stderr,
        )
        torch.set_num_threads(training.THREADS)
        tokenizer = training.CharTokenizer.from_text(text)
        train_ids, val_ids = training.split(
            text, tokenizer, settings["heldout_fraction"]
        )
        model = training.build(settings, tokenizer)
        tests = [held_out(rank) for rank in range(1, len(COUNTRIES) + 1)]
        known, known_step = [], []

        def track(step, history=None):
            known.append(knows(model, tokenizer, tests))
            known_step.append(step)

        track(0)
        history = training.train(
            model,
            train_ids,
            val_ids,
            settings,
            eval_every=max(1, steps // 10),
            eval_tokens=4096,
            on_eval=track,
        )
        history["knows"], history["knows_step"] = known, known_step
        return training.checkpoint(model, tokenizer, settings, history)

    checkpoint = cli.cached(path, key, make)
    model, tokenizer = training.from_checkpoint(checkpoint)
    return model, tokenizer, checkpoint["history"]
