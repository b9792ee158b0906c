"""snippets/sampling.py: what `generate` draws follows `next_token_probs` at every temperature and
top-k, greedy takes the favourite, the context is cropped, and `top_words` builds its words as its
docstring says. A tiny model with spread-out weights, so that its odds are far from even."""

import pytest
import torch

import tiny
from sampling import generate, next_token_probs, top_words
from tiny import one_thread  # noqa: F401  (autouse: one thread)
from training import CharTokenizer

DRAWS = 1500  # enough to tell apart odds 0.33 apart (T and 1/T at 0.4); noise about 0.03


@pytest.fixture(scope="module")
def model():
    return tiny.model(vocab_size=8, block_size=8, n_layer=1, spread=0.6)


def draws(model, ids, **settings):
    """How often each token came out of DRAWS one-token calls to generate."""
    g = torch.Generator().manual_seed(0)
    counts = torch.zeros(model.config.vocab_size)
    for _ in range(DRAWS):
        counts[generate(model, ids, 1, generator=g, **settings)[-1]] += 1
    return counts / DRAWS


def test_the_models_odds_are_far_from_even(model):
    probs = next_token_probs(model, [1, 2, 3])
    assert probs.max() > 2 * probs.min() and probs.max() > 0.2  # else no temperature shows


@pytest.mark.parametrize("temperature", [0.4, 1.0, 2.5])
def test_draws_follow_the_probabilities_at_each_temperature(model, temperature):
    ids = [1, 2, 3]
    expected = next_token_probs(model, ids, temperature)
    assert tiny.total_variation(draws(model, ids, temperature=temperature), expected) < 0.06


def test_temperature_divides_the_scores():
    """next_token_probs itself: softmax(logits / T), T below 1 sharper, above 1 flatter."""
    model = tiny.model(vocab_size=8, n_layer=1, spread=0.6)
    ids = [4, 0, 7]
    with torch.no_grad():
        logits = model(torch.tensor([ids]))[0][0, -1].double()
    for t in (0.4, 1.0, 2.5):
        expected = torch.softmax(logits / t, dim=-1)
        assert torch.allclose(next_token_probs(model, ids, t).double(), expected, atol=1e-6)
    cold, hot = next_token_probs(model, ids, 0.4), next_token_probs(model, ids, 2.5)
    assert cold.max() > hot.max() and torch.argmax(cold) == torch.argmax(hot)


@pytest.mark.parametrize("k", [3])
def test_top_k_draws_follow_the_k_likeliest_renormalised(model, k):
    ids = [5, 1]
    probs = next_token_probs(model, ids, 2.0)
    keep = torch.topk(probs, k).indices
    expected = torch.zeros_like(probs)
    expected[keep] = probs[keep] / probs[keep].sum()
    seen = draws(model, ids, temperature=2.0, top_k=k)
    assert set(seen.nonzero().flatten().tolist()) == set(keep.tolist())
    assert tiny.total_variation(seen, expected) < 0.06


def test_top_k_as_large_as_the_vocabulary_changes_nothing(model):
    ids = [2, 2]
    a = generate(model, ids, 30, top_k=8, generator=torch.Generator().manual_seed(3))
    b = generate(model, ids, 30, generator=torch.Generator().manual_seed(3))
    assert a == b


def test_greedy_always_takes_the_favourite(model):
    ids = [0]
    out = generate(model, ids, 20, greedy=True)
    assert out[:1] == ids and len(out) == 21
    for i in range(1, 21):
        assert out[i] == int(torch.argmax(next_token_probs(model, out[:i])))


def test_the_model_reads_only_its_last_block_size_tokens(model):
    long = [i % 8 for i in range(20)]  # longer than block_size (8)
    last = long[-8:]
    assert torch.equal(next_token_probs(model, long), next_token_probs(model, last))
    a = generate(model, long, 12, greedy=True)
    b = generate(model, last, 12, greedy=True)
    assert a[:20] == long and a[20:] == b[8:]
    g = torch.Generator()
    a = generate(model, long, 12, temperature=1.3, generator=g.manual_seed(1))
    b = generate(model, last, 12, temperature=1.3, generator=g.manual_seed(1))
    assert a[20:] == b[8:]


def test_each_new_token_follows_the_text_so_far(model):
    """Several tokens in one call are the same as one token per call, each fed the longer text."""
    g = torch.Generator()
    whole = generate(model, [3], 10, temperature=0.8, generator=g.manual_seed(5))
    g.manual_seed(5)
    ids = [3]
    for _ in range(10):
        ids = generate(model, ids, 1, temperature=0.8, generator=g)
    assert whole == ids and len(whole) == 11


def test_the_prompt_is_kept_and_not_changed(model):
    ids = [1, 2]
    out = generate(model, ids, 5, generator=torch.Generator().manual_seed(0))
    assert ids == [1, 2] and out[:2] == [1, 2] and len(out) == 7


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(temperature=0),
        dict(temperature=-1),
        dict(top_k=0),
        dict(max_new_tokens=0),
        dict(ids=[]),
    ],
)
def test_bad_settings_are_refused(model, kwargs):
    call = dict(dict(ids=[1], max_new_tokens=3), **kwargs)
    with pytest.raises((SystemExit, ValueError)):
        generate(model, **call)


def test_settings_at_their_limits_are_fine(model):
    assert len(generate(model, [1], 1, top_k=1, generator=torch.Generator())) == 2
    assert len(generate(model, [1], 3, temperature=0, greedy=True)) == 4
    assert len(generate(model, [1], 1, temperature=1e-3, generator=torch.Generator())) == 2
    with pytest.raises((SystemExit, ValueError)):
        next_token_probs(model, [1], temperature=0)


def test_top_words_extends_each_likely_letter_with_the_likeliest_next_ones():
    text = "abc de fgh ij, k.\n"
    tok = CharTokenizer.from_text(text)
    model = tiny.model(vocab_size=tok.vocab_size, block_size=16, n_layer=1, spread=0.8, seed=5)
    prompt = "ab "
    ids = tok.encode(prompt)
    words = top_words(model, tok, prompt, k=3, max_len=5)
    probs = next_token_probs(model, ids)
    letters = [i for i in range(tok.vocab_size) if tok.decode([i]).isalpha()]
    first = sorted(letters, key=lambda i: -probs[i])[:3]
    assert sorted(tok.encode(w[0])[0] for w, _ in words) == sorted(first)
    assert [p for _, p in words] == sorted((p for _, p in words), reverse=True)  # likeliest first
    for word, p in words:
        assert 1 <= len(word) <= 5 and word.isalpha()
        expected = probs[tok.encode(word[0])[0]].item()
        for n in range(1, len(word)):  # each further letter is the favourite at that point
            nxt = next_token_probs(model, ids + tok.encode(word[:n]))
            assert tok.decode([int(torch.argmax(nxt))]) == word[n]
            expected *= nxt.max().item()
        assert p == pytest.approx(expected, rel=1e-5)
        if len(word) < 5:  # it stopped because the favourite was not a letter
            nxt = next_token_probs(model, ids + tok.encode(word))
            assert not tok.decode([int(torch.argmax(nxt))]).isalpha()
    assert any(len(w) > 1 for w, _ in words) and any(len(w) < 5 for w, _ in words)
    # by default, five words of at most twelve letters, as the pages show them
    words = top_words(model, tok, prompt)
    assert len(words) == 5 and all(len(w) <= 12 for w, _ in words)


def test_a_word_that_never_ends_is_cut_at_twelve_letters():
    """An untrained model's words never stop on their own: the page says they are cut at twelve."""
    tok = CharTokenizer.from_text("ab .")
    model = tiny.model(vocab_size=tok.vocab_size, block_size=32, n_layer=1, spread=0.5)
    a = tok.encode("a")[0]
    with torch.no_grad():  # the output always favours "a": a letter, for ever
        model.wte.weight[a] *= 20
        model.ln_f.weight.zero_()
        model.ln_f.bias.copy_(model.wte.weight[a])
    words = top_words(model, tok, "b ", k=2)
    assert [w for w, _ in words] == ["a" * 12, "b" + "a" * 11]
