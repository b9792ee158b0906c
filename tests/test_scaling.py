"""Chapter 6: the scaling experiment (scaling.py), checked against the recorded run the page shows."""
import math


def test_five_or_more_sizes_from_about_ten_thousand_to_about_a_million_parameters(snippet_run):
    params = snippet_run("scaling.py").variables["params"]
    assert len(params) >= 5
    assert params == sorted(params)
    assert params[0] < 2e4 and params[-1] > 5e5


def test_every_bigger_model_reaches_a_lower_held_out_loss(snippet_run):
    losses = snippet_run("scaling.py").variables["losses"]
    assert all(bigger < smaller for smaller, bigger in zip(losses, losses[1:]))


def test_the_fitted_power_law_is_the_least_squares_line_through_the_points(snippet_run):
    v = snippet_run("scaling.py").variables
    xs = [math.log(n) for n in v["params"]]
    ys = [math.log(loss) for loss in v["losses"]]
    n = len(xs)
    slope = (n * sum(x * y for x, y in zip(xs, ys)) - sum(xs) * sum(ys)) / (n * sum(x * x for x in xs) - sum(xs) ** 2)
    assert math.isclose(v["alpha"], -slope, rel_tol=1e-9)
    assert v["alpha"] > 0            # bigger is better...
    assert v["r_squared"] > 0.9      # ...and close to a straight line on log-log axes
    for params, loss in zip(v["params"], v["losses"]):
        assert math.isclose(v["c"] * params ** -v["alpha"], loss, rel_tol=0.05)


def test_the_published_exponent_shown_is_kaplans(snippet_run):
    assert snippet_run("scaling.py").variables["kaplan_alpha"] == 0.076
