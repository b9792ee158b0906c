"""It's just autocomplete: the pretrained model, asked a question, continues the text. A
short further training on question/answer-shaped text (a glimpse of post-training) makes
the same model answer.

    python snippets/autocomplete.py            # reuses the model facts.py saved in out/
    python snippets/autocomplete.py --steps 50
"""
import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import torch

import corpus
import sampling
import training

parser = cli.Parser(description="Ask the pretrained facts model questions, train it "
                                "briefly on question/answer text, ask again.")
parser.add_argument("--seed", type=int, default=corpus.SETTINGS["seed"],
                    help="seed for the corpus, the pretrained model and the "
                         "question/answer text (default %(default)s)")
parser.add_argument("--steps", type=int, default=400,
                    help="training steps on question/answer text, after pretraining "
                         "(default %(default)s)")
args = cli.parse_args(parser)
if args.steps < 1:
    cli.fail(f"--steps must be at least 1, not {args.steps}")
torch.set_num_threads(1)  # a model this small trains faster on one core than on two

# %% before
QUESTIONS = [
    "what is the capital of France?",
    "what is the opposite of hot?",
    "what is a baby cat called?",               # kept out of the question/answer text
    "what language do people speak in Italy?",  # in no text at all: it cannot know
]
LEFT_OUT = QUESTIONS[2:]

model, tokenizer, _ = corpus.pretrained(args.seed)


def reply(question):
    """The line the model writes after the question and a line break, taking the
    likeliest character each time."""
    ids = tokenizer.encode(question + "\n")
    written = sampling.generate(model, ids, 60, greedy=True)[len(ids):]
    return tokenizer.decode(written).split("\n")[0]


before = {question: reply(question) for question in QUESTIONS}
for question in QUESTIONS:
    print(f"{question}\n    {before[question]}\n")

# %% qa
qa = corpus.qa_text(LEFT_OUT, args.seed)
qa_pairs = len(set(qa.strip().split("\n\n")))
print(f"{len(qa):,} characters: {qa_pairs} different questions, each followed by its "
      f"answer. It starts like this:\n")
print("\n\n".join(qa.split("\n\n")[:4]))

# %% posttrain
train_ids, val_ids = training.split(qa, tokenizer, corpus.SETTINGS["heldout_fraction"])
posttrain = dict(corpus.SETTINGS, steps=args.steps, lr=5e-3, min_lr=5e-4, warmup=10,
                 seed=args.seed)
with cli.stopwatch("post-trained"):
    training.train(model, train_ids, val_ids, posttrain, eval_every=args.steps)
posttrain_steps = args.steps
pretrain_steps = corpus.SETTINGS["steps"]
print(f"{posttrain_steps} more training steps on question/answer text "
      f"(pretraining took {pretrain_steps}).")

# %% after
after = {question: reply(question) for question in QUESTIONS}
for question in QUESTIONS:
    print(f"{question}\n    before: {before[question]}\n    after:  {after[question]}")
    print()
