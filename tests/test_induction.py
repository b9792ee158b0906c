"""Chapter 6: a copying skill that appears suddenly (sudden_skill.py), and the heads behind it (inside.py).

The claims are checked against the recorded runs the page shows (and, in benchmarks/robustness.py,
against runs with other seeds and on other kernel paths); the data, the scores and the knock-out
switch on cheap hand-made inputs.
"""

import math
import sys
from pathlib import Path

import torch

from claims import claim
from helpers import shown_on_page

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
from induction import (
    SEGMENT_LEN,
    AttentionOnly,
    copy_scores,
    head_scores,  # noqa: E402
    repeated_at,
    repeated_batch,
)


def sharpest_fall(losses, width):
    """The smallest ratio loss[i + width] / loss[i]: how far the loss falls in `width` measurements."""
    return min(losses[i + width] / losses[i] for i in range(len(losses) - width))


def tenth_of_training(run):
    measured_at = run.variables["measured_at"]
    return (measured_at[-1] // 10) // (measured_at[1] - measured_at[0])


def test_every_sequence_repeats_one_segment_and_the_mask_marks_its_predictable_part():
    x, y, mask = repeated_batch(64, torch.Generator().manual_seed(0))
    full = torch.cat([x, y[:, -1:]], dim=1)
    for row in range(len(x)):
        targets = mask[row].nonzero().flatten() + 1  # positions in `full` of the masked targets
        assert len(targets) == SEGMENT_LEN - 1
        assert (targets.diff() == 1).all()
        copy_start = targets[0].item() - 1
        # the copy, first token included, equals an earlier, non-overlapping stretch
        copy = full[row, copy_start : copy_start + SEGMENT_LEN]
        earlier = [
            s
            for s in range(copy_start - SEGMENT_LEN + 1)
            if torch.equal(full[row, s : s + SEGMENT_LEN], copy)
        ]
        assert earlier, f"row {row}: no earlier occurrence of the copied segment"


def test_copies_at_other_distances_sit_where_they_are_asked_to():
    x, y, mask = repeated_at(256, torch.Generator().manual_seed(0), [11, 35], 10)
    full = torch.cat([x, y[:, -1:]], dim=1)
    for row in range(len(x)):
        targets = mask[row].nonzero().flatten() + 1
        assert len(targets) == 9
        copy_start = targets[0].item() - 1
        distances = [
            d
            for d in (11, 35)
            if torch.equal(
                full[row, copy_start - d : copy_start - d + 10],
                full[row, copy_start : copy_start + 10],
            )
        ]
        assert distances, f"row {row}: the copy is not 11 or 35 tokens after its original"


def test_copy_scores_count_tokens_and_whole_copies():
    targets = torch.tensor([[1, 2, 3, 4], [1, 2, 3, 4]])
    mask = torch.tensor([[False, True, True, True], [False, True, True, True]])
    logits = torch.full((2, 4, 8), -5.0)
    logits[0, torch.arange(4), targets[0]] = 5.0  # row 0: every token right
    logits[1, torch.arange(4), torch.tensor([1, 2, 0, 4])] = 5.0  # row 1: one masked token wrong
    _, right, total, whole = copy_scores(logits, targets, mask)
    assert (right, total, whole) == (5, 6, 1)


def test_a_knocked_out_head_contributes_nothing():
    torch.manual_seed(0)
    model = AttentionOnly(n_layer=2).eval()
    x, _, _ = repeated_batch(4, torch.Generator().manual_seed(0))
    with torch.no_grad():
        intact = model(x)
        model.layers[1].knocked_out = [0, 1, 2, 3]  # the whole layer off
        without_layer = model(x)
        model.layers[1].knocked_out = []
        assert torch.equal(model(x), intact)  # switched back on: the same model
    # with every head of a layer off, the layer adds nothing: the same as a 1-layer stack
    model.layers = model.layers[:1]
    with torch.no_grad():
        assert torch.allclose(without_layer, model(x), atol=1e-6)


def test_scores_recognise_perfect_heads():
    half, T = 5, 10
    previous = torch.zeros(T, T)
    previous[0, 0] = 1
    previous[torch.arange(1, T), torch.arange(T - 1)] = 1
    induction = previous.clone()
    induction[torch.arange(half, T)] = 0
    induction[torch.arange(half, T), torch.arange(1, T - half + 1)] = 1
    prev_score, ind_score = head_scores(torch.stack([previous, induction]), half)
    assert prev_score[0] == 1 and ind_score[0] == 0
    assert ind_score[1] == 1 and prev_score[1] < 0.6


@claim(
    "why-does-this-work.md",
    "In the chart's top half (lower is better), at first, nothing special.",
    "Then, within a tenth of the training (steps {= sudden_skill.py:drop_start =} to {= sudden_skill.py:drop_end =} in this run), the 2-layer model's loss, its error, falls off a cliff: it has found the trick.",
    "The 2-layer model ends up getting {= sudden_skill.py:two_usual:.0% =} of the copy's tokens right, and {= sudden_skill.py:two_whole:.0% =} of whole copies.",
)
def test_two_layer_loss_on_the_copy_falls_steeply_within_a_tenth_of_training(snippet_run):
    run = snippet_run("sudden_skill.py")
    v = run.variables
    two = v["loss_2layer"]
    assert sharpest_fall(two, tenth_of_training(run)) < 0.6
    assert two[-1] < 1.0 / math.log(2)  # 1 nat, in bits: far below a blind guess (6 bits)
    # before that, a plateau: for the first tenth of training it barely beats a blind guess
    assert min(two[: tenth_of_training(run) + 1]) > 0.95 * v["chance"]
    assert v["drop_start"] >= v["measured_at"][tenth_of_training(run)]
    # the fall starts (a tenth of its way) before the steepest stretch, not at its start
    assert v["loss_onset"] <= v["drop_start"]
    assert v["accuracy_2layer"][-1] > 0.85


@claim(
    "why-does-this-work.md",
    "The 1-layer model creeps along and never gets there.",
    "(The 1-layer model starts quicker, then stalls.)",
    "it learns where copies usually sit and guesses from that far back, which fails once a copy sits anywhere else.",
    "The 1-layer model gets {= sudden_skill.py:one_usual:.0% =} of the usual copies' *tokens* right, but only {= sudden_skill.py:one_whole:.0% =} of whole copies, and at the new distances it is at a blind guess ({= sudden_skill.py:one_near:.0% =} nearer, {= sudden_skill.py:one_far:.0% =} further).",
    "It looks as if it never learned to copy: it learned *where copies usually sit*, and guesses from that far back.",
    "The 2-layer model still gets {= sudden_skill.py:two_near:.0% =} of the tokens right nearer and {= sudden_skill.py:two_far:.0% =} further, at distances it never saw: a skill that partly works outside its training data.",
)
def test_one_layer_never_gets_there_and_copies_only_where_copies_usually_sit(snippet_run):
    run = snippet_run("sudden_skill.py")
    v = run.variables
    one, two = v["loss_1layer"], v["loss_2layer"]
    assert sharpest_fall(one, tenth_of_training(run)) > 0.5  # no sudden drop
    assert min(one) > 2 * two[-1]  # and nowhere near the 2-layer model
    assert max(v["accuracy_1layer"]) < 0.6 < 0.85 < v["accuracy_2layer"][-1]
    # "starts quicker": early on, before the 2-layer model finds the trick, the 1-layer one leads,
    # by 5 points or more on over 9,000 tokens (the robustness variants: by 19 points on the
    # kernel paths, 9 with seed 1, whose 2-layer model finds the trick at step 225, not 475)
    early = zip(v["accuracy_1layer"], v["accuracy_2layer"], v["measured_at"])
    assert any(a > b + 0.05 for a, b, step in early if step < v["drop_start"])
    # on the fresh test: at distances it never trained on, nearer or further, with a shorter
    # copy, the 1-layer model is at a blind guess and the 2-layer model still copies
    chance = 1 / v["VOCAB_SIZE"]
    for where in ("nearer", "further"):
        right, total, whole, copies = v["tested"][f"1 layer, {where}"]
        assert right / total < 2.5 * chance and whole <= copies // 200
        right, total, whole, copies = v["tested"][f"2 layers, {where}"]
        assert right / total > 0.25 and whole >= 5  # a whole 10-token copy is no fluke
        assert total == 9 * copies and copies == 1024
    assert v["near_distances"] == list(range(10, 20)) and v["new_segment"] == 10
    assert v["far_distances"] == list(range(30, 40))
    assert v["two_usual"] > 0.9 and v["one_usual"] < 0.6


@claim(
    "why-does-this-work.md",
    "the loss had gone a tenth of its way by step {= sudden_skill.py:loss_onset =}, the share of tokens right by step {= sudden_skill.py:accuracy_onset =}, whole copies only by step {= sudden_skill.py:whole_onset =}.",
)
def test_an_all_or_nothing_score_starts_later_than_the_loss(snippet_run):
    v = snippet_run("sudden_skill.py").variables
    assert v["loss_onset"] < v["whole_onset"]
    assert v["accuracy_onset"] < v["whole_onset"]
    measured_at = v["measured_at"]
    # while whole copies are still (nearly) all wrong, the loss has already come down a long way
    before = measured_at.index(v["whole_onset"]) - 1
    assert v["loss_2layer"][before] < 0.8 * v["chance"]


@claim("why-does-this-work.md", "the 2-layer model's loss, its error, falls off a cliff")
def test_page_numbers_come_from_the_curves(snippet_run):
    v = snippet_run("sudden_skill.py").variables
    i = v["measured_at"].index(v["drop_start"])
    assert v["drop_from"] == v["loss_2layer"][i] and v["drop_to"] < 0.6 * v["drop_from"]


@claim(
    "why-does-this-work.md",
    'The first layer draws a stripe just off the diagonal, "look one back": previous-token heads.',
    'The second draws a stripe further left, "look where the earlier copy continues": induction heads.',
)
def test_the_copying_model_has_previous_token_heads_then_induction_heads(snippet_run):
    v = snippet_run("inside.py").variables
    scores = v["toy_scores"]
    assert v["toy_prev_head"].startswith("0.")  # looking one back happens in the first layer
    assert v["toy_induction_head"].startswith("1.")  # the lookup that uses it, in the second
    assert v["toy_induction_score"] > 0.5
    assert all(ind < 0.2 for name, (_, ind) in scores.items() if name.startswith("0."))


@claim(
    "why-does-this-work.md",
    "Switch off the induction heads and the model gets {= inside.py:without_induction:.0% =} of the copy's tokens right instead of {= inside.py:intact:.0% =}; switch off the previous-token heads, {= inside.py:without_previous:.0% =}; switch off all the other heads, still {= inside.py:without_others:.0% =}.",
    "switch off our copying model's induction heads and it gets {= inside.py:without_induction:.0% =} of the copy's tokens right instead of {= inside.py:intact:.0% =}.",
    "Switch off the other heads instead, and it still gets {= inside.py:without_others:.0% =}.",
    "In ours, switching off head {= inside.py:toy_prev_head =} alone stops every whole copy, though it leaves many more single tokens right than switching off its whole group does.",
    "the groups' result above held on every run we tried.",
)
def test_knocking_out_the_circuit_stops_the_copying_and_the_other_heads_do_not_matter(snippet_run):
    run = snippet_run("inside.py")
    v = run.variables
    assert v["previous_heads"] and all(h.startswith("0.") for h in v["previous_heads"])
    assert v["induction_heads"] and all(h.startswith("1.") for h in v["induction_heads"])
    assert v["other_heads"]
    # more than one head for each job in this run (on an Intel Xeon's DEFAULT and AVX-512 paths one
    # second-layer head passes the cut, and the group of one still carries the copying)
    if shown_on_page(run):
        assert len(v["previous_heads"]) >= 2 and len(v["induction_heads"]) >= 2
    copies = 1024
    assert v["tokens_total"] == copies * (SEGMENT_LEN - 1)
    assert v["intact"] > 0.9
    for group in ("the previous-token heads", "the induction heads"):
        right, whole = v["knockout"][group]
        assert right / v["tokens_total"] < 0.35 and whole <= copies // 100
    assert v["without_others"] > v["intact"] - 0.05
    assert v["knockout"]["all the other heads"][1] > 0.5 * v["knockout"]["nothing"][1]
    # one head at a time, "in ours" only: which head stands out changes with the seed and with the
    # CPU's rounding (benchmarks/robustness.py: head 0.2 on the DEFAULT and AVX-512 paths, with 27
    # and 2 whole copies left; with seed 1, none), so this holds for the recorded run the page shows
    if shown_on_page(run):
        alone = v["knockout"][f"head {v['toy_prev_head']}"]
        assert alone[1] == 0  # "stops every whole copy"
        assert alone[0] > 2 * v["knockout"]["the previous-token heads"][0]  # "many more tokens"
    for h in v["other_heads"]:
        assert v["knockout"][f"head {h}"][0] / v["tokens_total"] > v["intact"] - 0.05


@claim(
    "why-does-this-work.md",
    "For the copying model it is; for the tiny GPT, hardly at all (both its numbers are worse than a blind guess, since random letters look nothing like Python's manual).",
    "Half a circuit, at best: a first-layer head leans on the character just before ({= inside.py:lm_prev_score:.2f =}, where a head looking everywhere evenly would score {= inside.py:even_prev_score:.2f =}), but nothing in the next layer copies (best induction score {= inside.py:lm_induction_score:.2f =}).",
    "and one head, {= inside.py:space_head =}, putting {= inside.py:space_attention:.0% =} of its attention on spaces, which are {= inside.py:space_share:.0% =} of the sentence.",
)
def test_the_copying_model_reads_a_repeat_far_better_and_the_tiny_gpt_does_not(snippet_run):
    v = snippet_run("inside.py").variables
    assert (
        v["toy_first"] > 0.9 * snippet_run("sudden_skill.py").variables["chance"]
    )  # first reading: a guess
    assert v["toy_second"] < v["toy_first"] / 4
    assert v["lm_second"] > 0.9 * v["lm_first"]  # the tiny GPT: no better the second time
    # and both its readings cost more than a blind guess among its characters
    assert min(v["lm_first"], v["lm_second"]) > v["lm_chance"]
    assert v["lm_induction_score"] < 0.1  # and no induction head to speak of
    assert v["lm_prev_score"] > 2 * v["even_prev_score"]  # it leans on the character before
    assert v["lm_prev_head"].startswith("0.")  # (in its first layer)
    assert v["lm_layers"] >= 2  # (so it has the layers for the second half)
    assert (
        v["space_attention"] > 1.5 * v["space_share"]
    )  # the head the page singles out does favour spaces
