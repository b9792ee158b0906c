"""Chapter 6: the scaling experiment (scaling.py), checked against the recorded run the page shows
(and, in benchmarks/robustness.py, against runs with other seeds and on other kernel paths)."""

import math
import re

import numpy as np
import pytest

from claims import claim
from helpers import ROOT


@claim(
    "why-does-this-work.md",
    "we can train a row of small ones, identical except for their width (how many numbers describe each token), on the same text for the same number of steps:",
    "Every model has the same shape and reads the same characters in the same order; only the width (how many numbers describe each token) changes, and with it the size of each nudge (the *learning rate*), by one rule for all: the wider the model, the smaller its nudges.",
    "This experiment can show the loss falling steadily over {= scaling.py:decades:.1f =} powers of ten of size",
)
def test_sizes_span_two_and_a_half_powers_of_ten_with_one_shape_and_one_budget(snippet_run):
    v = snippet_run("scaling.py").variables
    params, widths = v["params"], v["widths"]
    assert len(params) == len(widths) >= 8
    assert params == sorted(params) and widths == sorted(widths)
    assert math.log10(params[-1] / params[0]) >= 2.5 and v["decades"] >= 2.5
    # one shape (layers and heads fixed, only the width changes), one training budget
    assert isinstance(v["n_layer"], int) and isinstance(v["n_head"], int)
    assert v["characters_seen"] == v["steps"] * v["batch_size"] * v["block_size"]
    # one learning-rate rule for all: a fixed number divided by the width (the record keeps the
    # widest model's settings, which must follow the same rule as the code shows)
    source = (ROOT / "snippets" / "scaling.py").read_text(encoding="utf-8")
    rules = re.findall(r"^\s+lr = ([\d.]+(?: \* [\d.]+)?) / width$", source, re.M)
    assert len(rules) == 1, rules
    scale = math.prod(float(factor) for factor in rules[0].split("*"))
    assert v["width"] == widths[-1] and v["lr"] == pytest.approx(scale / v["width"])
    assert v["settings"]["lr"] == v["lr"]
    # sizes counted without the embeddings, as the page says: per block, attention's 4 w x w
    # matrices and the MLP's two w x 4w, their 9w biases and two layer norms' 4w; then the last
    # layer norm's 2w. Not one weight of the token or position tables.
    for width, n in zip(widths, params):
        assert n == v["n_layer"] * (12 * width**2 + 13 * width) + 2 * width, (width, n)


@claim(
    "why-does-this-work.md",
    "Bigger is better, and steadily so: a model twice as wide always ended with a lower loss, and the biggest, with {= scaling.py:size_ratio:,.0f =} times the weights of the smallest, ends {= scaling.py:loss_cut:.0% =} lower.",
)
def test_a_model_twice_as_wide_always_reaches_a_lower_test_loss(snippet_run):
    v = snippet_run("scaling.py").variables
    widths, losses = v["widths"], v["test_losses"]
    pairs = [
        (i, j)
        for i in range(len(widths))
        for j in range(i + 1, len(widths))
        if widths[j] >= 2 * widths[i]
    ]
    assert len(pairs) >= 8
    for i, j in pairs:
        assert losses[j] < losses[i], (widths[i], widths[j])
    assert v["loss_cut"] > 0.3  # the biggest far below the smallest: "about a third lower"


@claim(
    "why-does-this-work.md",
    "At every size the loss on training text and on test text are close: none of these models has memorised its text.",
    "The big ones are underfed instead: the smallest read {= scaling.py:reads_per_parameter.0:,.0f =} characters per weight, the biggest about {= scaling.py:reads_per_parameter.-1:.0f =}, where Chinchilla read about 20 tokens per weight",
)
def test_no_model_is_memorising_training_and_test_losses_are_close(snippet_run):
    v = snippet_run("scaling.py").variables
    for train, test in zip(v["train_losses"], v["test_losses"]):
        assert abs(train - test) < 0.1 / math.log(2)  # 0.1 nats, in bits per character
    # the biggest models read only a few characters per parameter: undertrained, not overfitted
    assert v["characters_seen"] / v["params"][-1] < 20 < v["characters_seen"] / v["params"][0]


@claim(
    "why-does-this-work.md",
    "Each is fitted to the {= scaling.py:n_fit =} smallest models only, then asked to predict the biggest:",
)
def test_each_curve_is_the_least_squares_fit_to_the_smallest_sizes_only(snippet_run):
    v = snippet_run("scaling.py").variables
    n_fit = v["n_fit"]
    sizes = np.array(v["params"], dtype=float)
    losses = np.array(v["test_losses"])
    columns = {
        "power law": lambda a: [sizes**-a],
        "floor + power law": lambda a: [np.ones_like(sizes), sizes**-a],
        "logarithm": lambda a: [np.ones_like(sizes), -np.log(sizes)],
    }
    assert set(v["fitted"]) == set(columns)

    def least_squares(name, a):
        design = np.stack(columns[name](a), axis=1)[:n_fit]
        weights = np.linalg.lstsq(design, losses[:n_fit], rcond=None)[0]
        return weights, ((design @ weights - losses[:n_fit]) ** 2).sum()

    for name, (a, *weights) in v["fitted"].items():
        best_weights, best = least_squares(name, a)
        assert np.allclose(weights, best_weights, rtol=1e-6)
        if name != "logarithm":  # and no nearby exponent does better (with a floor >= 0)
            for other in (a - 0.004, a + 0.004):
                other_weights, error = least_squares(name, other)
                if other > 0 and other_weights[0] >= 0:
                    assert error >= best - 1e-12
        predicted = np.stack(columns[name](a), axis=1) @ np.array(weights)
        errors = predicted / losses - 1
        assert np.allclose(errors[n_fit:], v["prediction_error"][name])
        assert math.isclose(v["fit_error"][name], float(np.sqrt((errors[:n_fit] ** 2).mean())))
    assert v["fitted"]["floor + power law"][1] >= 0  # a floor below zero would be no floor
    assert v["alpha"] == v["fitted"]["power law"][0]


@claim(
    "why-does-this-work.md",
    "All three predict the held-back models to within a few percent",
    "Better still, a curve drawn through the {= scaling.py:n_fit =} smallest models predicted where the biggest ones would land, to within {= scaling.py:power_miss:.0% =}.",
    "(A plain logarithm lands almost as close; this small run can't tell the two apart.)",
)
def test_every_curve_fits_the_small_sizes_and_predicts_the_held_back_ones_within_a_few_percent(
    snippet_run,
):
    v = snippet_run("scaling.py").variables
    assert len(v["params"]) - v["n_fit"] >= 3
    assert v["params"][-1] / v["params"][v["n_fit"] - 1] >= 5  # extrapolated, not interpolated
    for name in v["fitted"]:
        assert v["fit_error"][name] < 0.04
        assert v["worst_miss"][name] < 0.10
    assert v["worst_miss"]["power law"] < 0.07
    # "a plain logarithm lands almost as close": within a few points of the power law's miss
    assert abs(v["worst_miss"]["logarithm"] - v["worst_miss"]["power law"]) < 0.03
    assert v["alpha"] > 0


@claim(
    "why-does-this-work.md",
    "with an exponent of {= scaling.py:kaplan_alpha =} for models from 768 to 1.5 billion weights.[^kaplan]",
)
def test_the_published_numbers_shown_are_kaplans(snippet_run):
    assert snippet_run("scaling.py").variables["kaplan_alpha"] == 0.076


@claim(
    "why-does-this-work.md",
    "Its losses are higher than chapter 3's {= train.py:test_bpc:.2f =} bits per character on the same manual because each of these models trains for only {= scaling.py:steps =} steps, against chapter 3's {= train.py:settings.steps:, =}, and most of them are far smaller.",
)
def test_the_scaling_losses_sit_above_chapter_3s_with_shorter_training_and_smaller_models(
    snippet_run,
):
    v = snippet_run("scaling.py").variables
    t = snippet_run("train.py").variables
    assert min(v["test_losses"]) > t["test_bpc"]  # every size above chapter 3's model
    assert v["steps"] < t["settings"]["steps"]  # trained for fewer steps
    assert (
        sum(p < t["n_params"] / 2 for p in v["params"]) > len(v["params"]) / 2
    )  # most far smaller
