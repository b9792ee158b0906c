# A look inside: where the attention heads of two trained models look, and two scores
# for each head.
#
# First the 2-layer copying model from sudden_skill.py, then the tiny GPT from the
# training chapter. Each head is scored the way Olsson et al. (2022) do, on a random
# block of tokens repeated twice: how much it looks at the token just before (a
# previous-token head), and how much it looks at the token that followed the current one
# last time (an induction head).
#
#     python snippets/inside.py

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import math

import torch
import torch.nn.functional as F

import induction
import training

parser = cli.Parser(
    description="Where the attention heads of the copying model and "
    "of the tiny GPT look."
)
parser.add_argument(
    "--seed",
    type=int,
    default=training.DEFAULT["seed"],
    help="the models trained with this seed (default: %(default)s)",
)
args = cli.parse_args(parser)
torch.set_num_threads(1)  # small matrices: a second thread only adds waiting

# %% toy
toy = induction.load_or_train_induction(args.seed)  # sudden_skill.py's 2-layer model
half = induction.SEQ_LEN // 2
sequence = induction.repeated_random_tokens(half, torch.Generator().manual_seed(0))
with torch.no_grad():
    logits = toy(sequence)  # each attention layer keeps its pattern (last_pattern)

toy_scores = {}  # "layer.head" -> (previous-token score, induction score)
for layer, attention in enumerate(toy.layers):
    prev_scores, ind_scores = induction.head_scores(attention.last_pattern[0], half)
    for head in range(len(prev_scores)):
        toy_scores[f"{layer}.{head}"] = (
            prev_scores[head].item(),
            ind_scores[head].item(),
        )

print("(layer.head; a score of 1.0 = all of the head's attention there)\n")
print("| head | previous-token score | induction score |")
print("|---|---:|---:|")
for name, (prev, ind) in toy_scores.items():
    print(f"| {name} | {prev:.2f} | {ind:.2f} |")

toy_prev_head = max(toy_scores, key=lambda h: toy_scores[h][0])
toy_induction_head = max(toy_scores, key=lambda h: toy_scores[h][1])
toy_prev_score = toy_scores[toy_prev_head][0]
toy_induction_score = toy_scores[toy_induction_head][1]
print(
    f"\nmost previous-token: head {toy_prev_head} ({toy_prev_score:.2f}); "
    f"most induction: head {toy_induction_head} ({toy_induction_score:.2f})"
)

# %% toy_heatmaps
n_layer, n_head = len(toy.layers), toy.layers[0].n_head
alt = (
    "Attention patterns of the 8 heads of the copying model on a block of random "
    "tokens repeated twice: diagonal stripes show where each head looks"
)
with cli.figure(
    "attention-copying-model",
    alt,
    n_layer,
    n_head,
    figsize=(1.45 * n_head, 2.05 * n_layer),
    squeeze=False,
    layout="constrained",
) as (fig, axes):
    for layer, attention in enumerate(toy.layers):
        for head in range(n_head):
            ax = axes[layer][head]
            ax.imshow(attention.last_pattern[0, head], cmap="Purples", vmin=0, vmax=1)
            prev, ind = toy_scores[f"{layer}.{head}"]
            ax.set_title(
                f"head {layer}.{head}\nprev {prev:.2f}\nind {ind:.2f}", fontsize=11
            )
            ax.set_xticks([])
            ax.set_yticks([])
    fig.supxlabel("looks at (earlier position)", fontsize=11)
    fig.supylabel("from position", fontsize=11)

# %% two_heads
# The circuit's two heads, big (one above the other, to fit a phone): the first layer's
# best at looking one back, and the second layer's best at looking where the earlier
# copy continues.
roles = {
    toy_prev_head: "looks one token back",
    toy_induction_head: "looks where the\nearlier copy continues",
}
alt = (
    "The attention of two heads of the copying model on random tokens repeated "
    "twice: a first-layer head's stripe just off the diagonal (it looks one token "
    "back), and a second-layer head's stripe further left (it looks where the "
    "earlier copy continues)"
)
panels = dict(nrows=2, figsize=(3.6, 7.6), layout="constrained")  # one above the other
with cli.figure("two-heads", alt, **panels) as (fig, axes):
    for ax, (name, role) in zip(axes, roles.items()):
        layer, head = (int(part) for part in name.split("."))
        pattern = toy.layers[layer].last_pattern[0, head]
        ax.imshow(pattern, cmap="Purples", vmin=0, vmax=1)
        ax.set_title(f"layer {layer + 1}: {role}", fontsize=12)
        ax.set_xlabel("looks at (earlier token)", fontsize=11)
        ax.set_ylabel("from token", fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])

# %% knockout
# The scores say where heads look. Does the copying depend on those heads? Switch heads
# off (their output set to zero) and count what the model still gets right, on 1,024
# sequences it never trained on.
test = torch.Generator().manual_seed(args.seed + 3)  # sudden_skill.py's test, again
x, y, mask = induction.repeated_batch(1024, test)
# the circuit's two halves: heads with 0.3 or more of their attention in the right place
previous_heads = [
    h for h, (prev, _) in toy_scores.items() if h.startswith("0.") and prev >= 0.3
]
induction_heads = [
    h for h, (_, ind) in toy_scores.items() if h.startswith("1.") and ind >= 0.3
]
other_heads = [h for h in toy_scores if h not in previous_heads + induction_heads]
experiments = {"nothing": []}
experiments.update({f"head {h}": [h] for h in toy_scores})
experiments.update(
    {
        "the previous-token heads": previous_heads,
        "the induction heads": induction_heads,
        "all the other heads": other_heads,
    }
)
knockout = {}  # what was switched off -> (copy tokens right, whole copies right)
print("| switched off | copy tokens right | whole copies right |")
print("|---|---:|---:|")
for what, heads in experiments.items():
    for h in heads:
        layer, head = map(int, h.split("."))
        toy.layers[layer].knocked_out.append(head)
    with torch.no_grad():
        _, right, total, whole = induction.copy_scores(toy(x), y, mask)
    for attention in toy.layers:
        attention.knocked_out = []
    knockout[what] = (right, whole)
    label = what + (f" ({', '.join(heads)})" if len(heads) > 1 else "")
    print(
        f"| {label} | {right:,d} of {total:,d} ({right / total:.0%}) | "
        f"{whole:,d} of {len(x):,d} |"
    )

tokens_total = total
intact = knockout["nothing"][0] / total
without_previous = knockout["the previous-token heads"][0] / total
without_induction = knockout["the induction heads"][0] / total
without_others = knockout["all the other heads"][0] / total

# %% lm_scores
lm, tokenizer = training.load_or_train(args.seed)
lm_layers = lm.config.n_layer
captured = []  # each block's query/key/value output, recorded on the way through


def keep_qkv(module, inputs, output):
    captured.append(output.detach())


hooks = [block.attn.c_attn.register_forward_hook(keep_qkv) for block in lm.blocks]


def lm_patterns(ids):
    """Every head's attention pattern for one sequence: (layer, head, query, key),
    recomputed from q and k."""
    captured.clear()
    with torch.no_grad():
        lm(torch.tensor([ids]))
    n_head = lm.config.n_head
    patterns = []
    for qkv in captured:
        q, k, _ = qkv[0].split(lm.config.n_embd, dim=-1)
        q = q.view(len(ids), n_head, -1).transpose(0, 1)
        k = k.view(len(ids), n_head, -1).transpose(0, 1)
        scores = q @ k.transpose(-2, -1) / k.size(-1) ** 0.5
        causal = torch.ones(len(ids), len(ids), dtype=torch.bool).tril()
        patterns.append(scores.masked_fill(~causal, float("-inf")).softmax(dim=-1))
    return torch.stack(patterns)


# Olsson et al.'s test again: random letters (and spaces), repeated twice.
lm_half = lm.config.block_size // 2
letters = tokenizer.encode("abcdefghijklmnopqrstuvwxyz ")
dice = torch.Generator().manual_seed(0)
picks = torch.randint(len(letters), (lm_half,), generator=dice)
random_letters = [letters[i] for i in picks.tolist()]
repeated = lm_patterns(random_letters + random_letters)
lm_scores = {}
print(f"the tiny GPT, on {lm_half} random letters repeated twice\n")
print("| head | previous-token score | induction score |")
print("|---|---:|---:|")
for layer in range(lm.config.n_layer):
    prev_scores, ind_scores = induction.head_scores(repeated[layer], lm_half)
    for head in range(lm.config.n_head):
        lm_scores[f"{layer}.{head}"] = (
            prev_scores[head].item(),
            ind_scores[head].item(),
        )
        print(f"| {layer}.{head} | {prev_scores[head]:.2f} | {ind_scores[head]:.2f} |")

lm_prev_head = max(lm_scores, key=lambda h: lm_scores[h][0])
lm_induction_head = max(lm_scores, key=lambda h: lm_scores[h][1])
lm_prev_score = lm_scores[lm_prev_head][0]
lm_induction_score = lm_scores[lm_induction_head][1]
print(
    f"\nmost previous-token: head {lm_prev_head} ({lm_prev_score:.2f}); "
    f"most induction: head {lm_induction_head} ({lm_induction_score:.2f})"
)
# A head that spread its attention evenly over all the positions it sees would score:
even_prev_score = sum(1 / t for t in range(2, 2 * lm_half + 1)) / (2 * lm_half - 1)
print(f"(a head that looks everywhere evenly: previous-token {even_prev_score:.2f})")

# %% copy_test
# Does reading something once make the second reading easier? That's what an induction
# head is for.


def first_and_second_copy_loss(model_logits, ids, half):
    """Average loss in bits (cross-entropy's nats over ln 2) on the first copy and on
    the second copy of a repeated block."""
    targets = torch.tensor(ids[1:])
    losses = F.cross_entropy(model_logits[0, :-1], targets, reduction="none")
    losses = losses / math.log(2)
    return losses[: half - 1].mean().item(), losses[half:].mean().item()


block = sequence[0].tolist()
twice = random_letters + random_letters
with torch.no_grad():
    toy_first, toy_second = first_and_second_copy_loss(toy(sequence), block, half)
    lm_logits = lm(torch.tensor([twice]))[0]
    lm_first, lm_second = first_and_second_copy_loss(lm_logits, twice, lm_half)

print("loss in bits per token, on the first and the second reading\n")
print("| model, on | first copy | second copy |")
print("|---|---:|---:|")
print(f"| copying model, random tokens | {toy_first:.2f} | {toy_second:.2f} |")
print(f"| tiny GPT, the random letters above | {lm_first:.2f} | {lm_second:.2f} |")
lm_chance = math.log2(tokenizer.vocab_size)  # a blind guess among its characters
print(
    f"\n(a blind guess: {math.log2(induction.VOCAB_SIZE):.2f} bits for the copying "
    f"model, {lm_chance:.2f} for the tiny GPT)"
)

# %% lm_sentence
sentence = "a list keeps its items in order."  # short: within the model's context
patterns = lm_patterns(tokenizer.encode(sentence))
n_layer, n_head = lm.config.n_layer, lm.config.n_head
alt = (
    f"The {n_layer * n_head} attention heads of the tiny GPT on a real sentence, "
    f"one heatmap each: which earlier characters each position looks at"
)
with cli.figure(
    "attention-tiny-gpt",
    alt,
    n_layer,
    n_head,
    figsize=(1.45 * n_head, 1.75 * n_layer),
    squeeze=False,
    layout="constrained",
) as (fig, axes):
    for layer in range(n_layer):
        for head in range(n_head):
            ax = axes[layer][head]
            ax.imshow(patterns[layer, head], cmap="Purples", vmin=0, vmax=1)
            ax.set_title(f"head {layer}.{head}", fontsize=11)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(repr(sentence), fontsize=12)

# Some heads draw vertical stripes: every position looking at the same few characters.
# Which ones? Attention on the spaces, per (layer, head), skipping the first 10 rows:
is_space = torch.tensor([ch == " " for ch in sentence])
space_share = is_space.float().mean().item()
on_spaces = patterns[:, :, 10:, is_space].sum(dim=-1).mean(dim=-1)
layer, head = divmod(on_spaces.argmax().item(), n_head)
space_head, space_attention = f"{layer}.{head}", on_spaces[layer, head].item()
print(
    f"spaces are {space_share:.0%} of the sentence; head {space_head} puts "
    f"{space_attention:.0%} of its attention on them"
)
for hook in hooks:
    hook.remove()
