"""The Python model (snippets/gpt.py) against a reference written here from the equations (the
JavaScript port is checked against it separately), and its initialisation against GPT-2's."""

import math

import pytest
import torch

import tiny
from gpt import GPT, GPTConfig
from tiny import one_thread  # noqa: F401  (autouse: one thread)


def layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-5) * weight + bias


def gelu(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def reference_logits(w, idx, n_layer, n_head):
    """GPT-2's forward pass, written out from the state dict: embeddings, then per block a causal
    self-attention and an MLP, each after a layer norm and added to the running vector, then a final
    layer norm and the token embedding again as the output layer."""
    T = idx.shape[1]
    x = w["wte.weight"][idx] + w["wpe.weight"][:T]
    C = x.shape[-1]
    hs = C // n_head
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for layer in range(n_layer):
        p = f"blocks.{layer}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = h @ w[p + "attn.c_attn.weight"].T + w[p + "attn.c_attn.bias"]
        heads = []
        for i in range(n_head):
            q = qkv[..., i * hs : (i + 1) * hs]
            k = qkv[..., C + i * hs : C + (i + 1) * hs]
            v = qkv[..., 2 * C + i * hs : 2 * C + (i + 1) * hs]
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
            scores = scores.masked_fill(future, float("-inf"))
            heads.append(torch.softmax(scores, dim=-1) @ v)
        y = torch.cat(heads, dim=-1)
        x = x + y @ w[p + "attn.c_proj.weight"].T + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        h = gelu(h @ w[p + "mlp.c_fc.weight"].T + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"].T + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"])
    return x @ w["wte.weight"].T


@pytest.mark.parametrize("n_layer, n_head", [(1, 1), (2, 2), (3, 4)])
def test_logits_match_the_reference(n_layer, n_head):
    model = tiny.model(vocab_size=11, block_size=8, n_layer=n_layer, n_head=n_head).double()
    idx = torch.randint(11, (3, 8), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        logits, loss = model(idx)
    w = {name: t.detach() for name, t in model.state_dict().items()}
    expected = reference_logits(w, idx, n_layer, n_head)
    assert loss is None and logits.shape == (3, 8, 11)
    assert torch.allclose(logits, expected, atol=1e-9, rtol=0), (logits - expected).abs().max()


def test_a_shorter_input_reads_only_its_own_positions():
    model = tiny.model(vocab_size=11, block_size=8).double()
    idx = torch.randint(11, (2, 5), generator=torch.Generator().manual_seed(2))
    w = {name: t.detach() for name, t in model.state_dict().items()}
    with torch.no_grad():
        logits, _ = model(idx)
    assert torch.allclose(logits, reference_logits(w, idx, 2, 2), atol=1e-9, rtol=0)


def test_loss_is_the_mean_cross_entropy_of_the_targets():
    model = tiny.model(vocab_size=11).double()
    g = torch.Generator().manual_seed(3)
    idx, targets = torch.randint(11, (4, 8), generator=g), torch.randint(11, (4, 8), generator=g)
    with torch.no_grad():
        logits, loss = model(idx, targets)
    log_probs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    expected = -log_probs.gather(-1, targets[..., None]).mean()
    assert loss.item() == pytest.approx(expected.item(), abs=1e-12)


def test_too_long_an_input_is_refused():
    model = tiny.model(block_size=8)
    with pytest.raises((AssertionError, ValueError)):
        model(torch.zeros(1, 9, dtype=torch.long))


def test_dropout_only_while_training():
    model = tiny.model(vocab_size=11, dropout=0.5).double()
    idx = torch.randint(11, (2, 8), generator=torch.Generator().manual_seed(4))
    w = {name: t.detach() for name, t in model.state_dict().items()}
    with torch.no_grad():
        assert torch.allclose(model.eval()(idx)[0], reference_logits(w, idx, 2, 2), atol=1e-9)
        model.train()
        torch.manual_seed(0)
        a = model(idx)[0]
        b = model(idx)[0]
    assert not torch.allclose(a, b)  # each call drops different numbers
    with torch.no_grad():  # and dropout reaches the attention weights, not only the outputs
        model.drop.p = 0.0
        for block in model.blocks:
            block.attn.resid_dropout.p = block.mlp.dropout.p = 0.0
        torch.manual_seed(0)
        c = model(idx)[0]
    assert not torch.allclose(c, model.eval()(idx)[0])


def test_weights_counted_once_each():
    V, T, L, C = 11, 8, 3, 16
    model = GPT(GPTConfig(vocab_size=V, block_size=T, n_layer=L, n_head=2, n_embd=C))
    # embeddings, per block (2 layer norms, attention in and out, MLP in and out), final layer norm
    per_block = (
        2 * C + (3 * C * C + 3 * C) + (C * C + C) + 2 * C + (4 * C * C + 4 * C) + (4 * C * C + C)
    )
    assert model.num_params() == V * C + T * C + L * per_block + 2 * C
    assert model.lm_head.weight is model.wte.weight  # the output layer is the token table


def test_initialisation_is_gpt2s():
    torch.manual_seed(0)
    L, C = 4, 64
    model = GPT(GPTConfig(vocab_size=500, block_size=64, n_layer=L, n_head=4, n_embd=C))
    for name, p in model.named_parameters():
        if name.endswith("c_proj.weight"):  # layers that feed the residual stream: smaller
            assert p.std().item() == pytest.approx(0.02 / math.sqrt(2 * L), rel=0.1), name
            assert abs(p.mean().item()) < 0.002, name
        elif p.dim() == 2:
            assert p.std().item() == pytest.approx(0.02, rel=0.1), name
            assert abs(p.mean().item()) < 0.002, name
        elif "ln" in name and name.endswith("weight"):
            assert torch.all(p == 1), name
        else:  # biases and layer-norm shifts start at zero
            assert torch.all(p == 0), name


def test_untrained_model_is_about_as_unsure_as_a_uniform_guess():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=50, block_size=16, n_layer=2, n_head=2, n_embd=32))
    g = torch.Generator().manual_seed(5)
    idx, targets = torch.randint(50, (8, 16), generator=g), torch.randint(50, (8, 16), generator=g)
    with torch.no_grad():
        _, loss = model(idx, targets)
    assert abs(loss.item() - math.log(50)) < 0.02
