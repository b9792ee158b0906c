"""Let the trained tiny GPT continue a prompt.

python snippets/sample.py --prompt "The function " --temperature 0.8 --top-k 10
"""

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import torch

import training
from sampling import check_settings, generate

parser = cli.Parser(description="Continue a prompt with the model train.py saved.")
parser.add_argument(
    "--prompt",
    default="the cat sat on the ",
    help="the text to continue (default: %(default)r)",
)
parser.add_argument(
    "--temperature",
    type=float,
    default=0.8,
    help="below 1: safer, more repetitive; above 1: wilder (default: %(default)s)",
)
parser.add_argument(
    "--top-k",
    type=int,
    help="draw only among the k likeliest characters (default: all)",
)
parser.add_argument(
    "--greedy",
    action="store_true",
    help="always take the likeliest character (no dice)",
)
parser.add_argument(
    "--tokens",
    type=int,
    default=200,
    help="how many characters to add (default: %(default)s)",
)
parser.add_argument(
    "--seed", type=int, default=1337, help="random seed (default: %(default)s)"
)
parser.add_argument(
    "--checkpoint",
    metavar="FILE",
    default=training.CHECKPOINT,
    help="the trained model (default: out/tiny-gpt.pt, from train.py)",
)
args = cli.parse_args(parser)
check_settings(args.prompt, args.temperature, args.top_k, args.greedy, args.tokens)
torch.set_num_threads(training.THREADS)

model, tokenizer, _ = training.load(args.checkpoint)
ids = tokenizer.encode(args.prompt)  # one line of error for characters it never saw
dice = torch.Generator().manual_seed(args.seed)
out = generate(
    model,
    ids,
    args.tokens,
    temperature=args.temperature,
    top_k=args.top_k,
    greedy=args.greedy,
    generator=dice,
)
print(tokenizer.decode(out))
