# It's just autocomplete: the pretrained facts model, asked a question, continues the
# text. A short post-training on example conversations (a glimpse of what turns an
# autocomplete into an assistant) changes what it writes; measured on questions about
# facts no conversation mentioned.
#
#     python snippets/autocomplete.py         # reuses the model facts.py saved in out/
#     python snippets/autocomplete.py --steps 30

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import re

import torch

import corpus
import training

parser = cli.Parser(
    description="Ask the pretrained facts model questions, post-train "
    "it briefly on example conversations, ask again."
)
parser.add_argument(
    "--seed",
    type=int,
    default=corpus.SETTINGS["seed"],
    help="seed for the text, the pretrained model and the "
    "conversations (default %(default)s)",
)
parser.add_argument(
    "--steps",
    type=int,
    default=corpus.POSTTRAINING["steps"],
    help="post-training steps (default %(default)s)",
)
args = cli.parse_args(parser)
if args.steps < 1:
    cli.fail(f"--steps must be at least 1, not {args.steps}")

torch.set_num_threads(1)  # a model this small trains faster on one core than on two

KINDS = ["right", "wrong", "I don't know", "no answer"]
# the shape of the assistant's replies in the post-training conversations
ASSISTANT = re.compile(
    r"(It's|It is) [A-Z][A-Za-z -]*\.|I don't know\.|"
    r"Sorry, I don't know that one\."
)


def replies(model, tokenizer, questions):
    """What the model writes after each (prompt, capital), up to the end of the line,
    taking its likeliest character each time; and what kind of reply that is."""
    written = corpus.continue_all(
        model, tokenizer, [p for p, _ in questions], 40, greedy=True
    )
    return [
        (w, corpus.reply_kind(w, capital))
        for w, (_, capital) in zip(written, questions)
    ]


def shaped(results):
    """Which replies are in the shape the assistant's replies will be taught."""
    return [bool(ASSISTANT.fullmatch(reply.strip())) for reply, _ in results]


def table(columns):
    """A Markdown table, one column per (name, replies): how many replies of each kind,
    as "x of N" (so each column adds up to all N of its questions)."""
    print("| reply | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for kind in KINDS:
        counts = [f"{[k for _, k in r].count(kind)} of {len(r)}" for _, r in columns]
        print(f"| {kind} | " + " | ".join(counts) + " |")
    print()


def one_of_each_kind(questions, results):
    """The first reply of each kind there is, after its question."""
    for kind in KINDS:
        for (prompt, _), (reply, found) in zip(questions, results):
            if found == kind:
                print(f"{prompt}{reply}    <- {kind}")
                break


# %% questions
text = corpus.make_corpus(args.seed)
after_question = corpus.after_questions(text)
question_lines = sum(after_question.values())
answered_share = after_question["its answer"] / question_lines
print(
    f"The pretraining text has {question_lines:,} lines that are a question. "
    f"The line after one is"
)
for kind, n in after_question.items():
    print(f"  {kind:18} {n:5,} times ({n / question_lines:.0%})")

# %% before
model, tokenizer, _ = corpus.pretrained(args.seed)
known = [corpus.COUNTRIES[rank - 1] for rank in corpus.CHAT_TEST]
as_text = [(corpus.QUESTION.format(c=c) + "\n", a) for c, a in known]
as_chat = [
    (corpus.chat_prompt(ask.format(c=c)), a) for c, a in known for ask in corpus.ASK
]
never = [
    (corpus.chat_prompt(ask.format(c=c)), a)
    for c, a in corpus.UNKNOWN_TEST
    for ask in corpus.ASK
]
before_text = replies(model, tokenizer, as_text)
before_chat = replies(model, tokenizer, as_chat)
before_never = replies(model, tokenizer, never)
asked_in_validation = [corpus.COUNTRIES[rank - 1] for rank in corpus.CHAT_VALIDATION]
asked_in_validation += corpus.UNKNOWN_VALIDATION
validation = [
    (corpus.chat_prompt(ask.format(c=c)), a)
    for c, a in asked_in_validation
    for ask in corpus.ASK
]
before_validation = replies(model, tokenizer, validation)
knew_before = corpus.knows(model, tokenizer, [corpus.held_out(r) for r in corpus.TEST])
countries_asked, text_questions = len(known), len(as_text)
chat_questions, ways_asked = len(as_chat), len(corpus.ASK)
never_countries, never_questions = len(corpus.UNKNOWN_TEST), len(never)
table(
    [
        ("as a quiz line", before_text),
        ("in the chat format", before_chat),
        ("chat, capital never read", before_never),
    ]
)
one_of_each_kind(as_text, before_text)
print()
one_of_each_kind(as_chat, before_chat)

# %% data
can_answer = corpus.knows(
    model, tokenizer, [corpus.held_out(r) for r in corpus.VALIDATION]
)
taught = [r for r, ok in zip(corpus.VALIDATION, can_answer) if ok]
if not taught:
    cli.fail(
        "the pretrained model answers none of the validation facts: "
        "nothing to teach answers about"
    )

posttraining_text = corpus.posttraining_text(args.seed, taught, text)
# (a document can end in a line break: strip before looking for "User:")
documents = [d.strip() for d in posttraining_text.split("\n\n")]
conversations = [d for d in documents if d.startswith("User:")]
dont_know = [d for d in conversations if "don't know" in d]
unknown_taught = len(corpus.UNKNOWN_TAUGHT)
conversation_n, dont_know_n = len(conversations), len(dont_know)
print(
    f"Conversations about the {len(taught)} validation facts the model can already "
    f'state\n(of {len(corpus.VALIDATION)}), and "I don\'t know" about '
    f"{unknown_taught} countries it never read the capitals of:"
)
print(
    f"{len(conversations):,} conversations ({len(dont_know)} of them \"I don't "
    f'know"), mixed with\nas much pretraining text, {len(posttraining_text):,} '
    f"characters in all. Some:\n"
)
print("\n\n".join(conversations[:4]))

# %% posttrain
train_ids, val_ids = training.split(
    posttraining_text, tokenizer, corpus.SETTINGS["heldout_fraction"]
)
posttraining = dict(corpus.SETTINGS, **corpus.POSTTRAINING)
posttraining.update(steps=args.steps, seed=args.seed)
with cli.stopwatch("post-trained"):
    history = training.train(
        model, train_ids, val_ids, posttraining, eval_every=args.steps, eval_tokens=2048
    )

characters_per_step = corpus.SETTINGS["batch_size"] * corpus.SETTINGS["block_size"]
flops_per_char = training.flops_per_token(model)
pretraining_flops = flops_per_char * corpus.SETTINGS["steps"] * characters_per_step
posttraining_flops = flops_per_char * args.steps * characters_per_step
compute_share = posttraining_flops / pretraining_flops
print(f"{flops_per_char:,} operations per character read")
print(
    f"pretraining:  {corpus.SETTINGS['steps']:5} steps, {pretraining_flops:.2e} "
    f"operations"
)
print(
    f"post-training: {args.steps:4} steps, {posttraining_flops:.2e} operations "
    f"({compute_share:.1%} of pretraining)"
)

# %% after
after_chat = replies(model, tokenizer, as_chat)
after_never = replies(model, tokenizer, never)
knew_after = corpus.knows(model, tokenizer, [corpus.held_out(r) for r in corpus.TEST])
print(f"The same {chat_questions} questions in the chat format, before and after:\n")
table([("before", before_chat), ("after", after_chat)])

# %% every-reply
print(
    f"The {never_questions} questions about the {never_countries} countries whose "
    f"capitals it never read:\n"
)
table([("before", before_never), ("after", after_never)])
print('Replies in the assistant\'s form, like "It\'s Lima." or "I don\'t know.":\n')
print("| questions | before | after |")
print("|---|---:|---:|")
for name, before, after in [
    ("in the chat format", before_chat, after_chat),
    ("chat, capital never read", before_never, after_never),
]:
    print(
        f"| {name} | {sum(shaped(before))} of {len(before)} | "
        f"{sum(shaped(after))} of {len(after)} |"
    )

print()
one_of_each_kind(as_chat, after_chat)
one_of_each_kind(never, after_never)
could_state = dict(zip(corpus.TEST, knew_before))
asked_ranks = [rank for rank in corpus.CHAT_TEST for ask in corpus.ASK]
right_known = [
    kind == "right"
    for (_, kind), rank in zip(after_chat, asked_ranks)
    if could_state[rank]
]
right_unknown = [
    kind == "right"
    for (_, kind), rank in zip(after_chat, asked_ranks)
    if not could_state[rank]
]
known_facts = sum(could_state[r] for r in corpus.CHAT_TEST)
print(
    f"\nRight after post-training: {sum(right_known)} of {len(right_known)} questions "
    f"about the {known_facts} facts it could state in chapter 5's test\n"
    f"({ways_asked} ways of asking each), {sum(right_unknown)} of "
    f"{len(right_unknown)} about the {len(corpus.CHAT_TEST) - known_facts} it "
    f"couldn't."
)
print(
    f"\nStill writes the capital in the test wordings of chapter 5: "
    f"{sum(knew_before)} of {len(knew_before)} facts before, "
    f"{sum(knew_after)} of {len(knew_after)} after."
)
rates = {
    name: {kind: sum(k == kind for _, k in results) / len(results) for kind in KINDS}
    for name, results in [
        ("before_text", before_text),
        ("before_chat", before_chat),
        ("before_never", before_never),
        ("after_chat", after_chat),
        ("after_never", after_never),
    ]
}
no_answer_before = rates["before_chat"]["no answer"]
no_answer_after = rates["after_chat"]["no answer"]
invented = rates["after_never"]["wrong"]
idk_never = sum(kind == "I don't know" for _, kind in after_never)
right_known_count, right_unknown_count = sum(right_known), sum(right_unknown)
known_asked, unknown_asked = len(right_known), len(right_unknown)
facts_before, facts_after, facts_n = sum(knew_before), sum(knew_after), len(knew_before)
shaped_before, shaped_after = sum(shaped(before_chat)), sum(shaped(after_chat))
named_before = rates["before_chat"]["right"] + rates["before_chat"]["wrong"]
counts = {}  # the same, as counts of replies: right, wrong, dont_know, no_answer
for name, results in [
    ("before_chat", before_chat),
    ("after_chat", after_chat),
    ("before_never", before_never),
    ("after_never", after_never),
]:
    kinds = [kind for _, kind in results]
    counts[name] = {
        "right": kinds.count("right"),
        "wrong": kinds.count("wrong"),
        "dont_know": kinds.count("I don't know"),
        "no_answer": kinds.count("no answer"),
    }

named_before_count = counts["before_chat"]["right"] + counts["before_chat"]["wrong"]

# %% validation
after_validation = replies(model, tokenizer, validation)
print(
    f"The questions we watched while choosing the settings: "
    f"{len(corpus.CHAT_VALIDATION)} other countries\nand "
    f"{len(corpus.UNKNOWN_VALIDATION)} whose capitals it never read, "
    f"{len(corpus.ASK)} ways of asking each;\nnone of them is in an example "
    f"conversation either.\n"
)
table([("before", before_validation), ("after", after_validation)])
