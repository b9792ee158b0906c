"""Chapter 6: a copying skill that appears suddenly (sudden_skill.py), and the heads behind it (inside.py).

The claims are checked against the recorded runs the page shows; the data and the scores on cheap
hand-made inputs.
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
from induction import SEGMENT_LEN, head_scores, repeated_batch  # noqa: E402


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
        targets = mask[row].nonzero().flatten() + 1          # positions in `full` of the masked targets
        assert len(targets) == SEGMENT_LEN - 1
        assert (targets.diff() == 1).all()
        copy_start = targets[0].item() - 1
        # the copy, first token included, equals an earlier, non-overlapping stretch
        copy = full[row, copy_start:copy_start + SEGMENT_LEN]
        earlier = [s for s in range(copy_start - SEGMENT_LEN + 1)
                   if torch.equal(full[row, s:s + SEGMENT_LEN], copy)]
        assert earlier, f"row {row}: no earlier occurrence of the copied segment"


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


def test_two_layer_loss_on_the_copy_falls_steeply_within_a_tenth_of_training(snippet_run):
    run = snippet_run("sudden_skill.py")
    two = run.variables["loss_2layer"]
    assert sharpest_fall(two, tenth_of_training(run)) < 0.6
    assert two[-1] < 1.0  # and it ends up copying: far below a blind guess
    # before that, a plateau: for the first tenth of training it barely beats a blind guess
    assert min(two[:tenth_of_training(run) + 1]) > 0.95 * run.variables["chance"]
    assert run.variables["drop_start"] >= run.variables["measured_at"][tenth_of_training(run)]


def test_one_layer_never_gets_there(snippet_run):
    run = snippet_run("sudden_skill.py")
    one, two = run.variables["loss_1layer"], run.variables["loss_2layer"]
    assert sharpest_fall(one, tenth_of_training(run)) > 0.5   # no sudden drop
    assert min(one) > 2 * two[-1]                               # and nowhere near the 2-layer model


def test_page_numbers_come_from_the_curves(snippet_run):
    v = snippet_run("sudden_skill.py").variables
    i = v["measured_at"].index(v["drop_start"])
    assert v["drop_from"] == v["loss_2layer"][i] and v["drop_to"] < 0.6 * v["drop_from"]
    assert v["final_1layer"] == v["loss_1layer"][-1] and v["final_2layer"] == v["loss_2layer"][-1]


def test_the_copying_model_has_previous_token_heads_then_induction_heads(snippet_run):
    v = snippet_run("inside.py").variables
    scores = v["toy_scores"]
    assert v["toy_prev_head"].startswith("0.")        # looking one back happens in the first layer
    assert v["toy_induction_head"].startswith("1.")   # the lookup that uses it, in the second
    assert v["toy_induction_score"] > 0.5
    assert all(ind < 0.2 for name, (_, ind) in scores.items() if name.startswith("0."))


def test_the_copying_model_reads_a_repeat_far_better_and_the_tiny_gpt_does_not(snippet_run):
    v = snippet_run("inside.py").variables
    assert v["toy_first"] > 0.9 * snippet_run("sudden_skill.py").variables["chance"]   # first reading: a guess
    assert v["toy_second"] < v["toy_first"] / 4
    assert v["lm_second"] > 0.9 * v["lm_first"]        # the tiny GPT: no better the second time
    assert v["lm_induction_score"] < 0.1                # and no induction head to speak of
    assert v["lm_prev_score"] > 2 * v["even_prev_score"]  # it leans on the character before
    assert v["lm_prev_head"].startswith("0.")            # (in its first layer)
    assert v["lm_layers"] >= 2                          # (so it has the layers for the second half)
    assert v["space_attention"] > 1.5 * v["space_share"]  # the head the page singles out does favour spaces
