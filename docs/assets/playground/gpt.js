// The tiny GPT of snippets/gpt.py, run in plain JavaScript: read the weights that snippets/train.py
// exports (safetensors), compute the next character's scores, and pick one the way
// snippets/sampling.py does. No page in here: Node's tests import it.

/**
 * The model in a safetensors file: { config, chars, weights }. The file is an 8-byte little-endian
 * header length, a JSON header (each tensor's dtype, shape and byte range, and our __metadata__:
 * the GPTConfig and the vocabulary of characters as JSON), then the raw float32 numbers.
 */
export function loadModel(buffer) {
  const headerLength = Number(new DataView(buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  const { __metadata__: metadata, ...tensors } = header;
  const start = 8 + headerLength;
  const weights = {};
  for (const [name, { dtype, data_offsets: [begin, end] }] of Object.entries(tensors)) {
    if (dtype !== "F32") throw new Error(`${name} is ${dtype}, not F32`);
    // a copy, so that it is aligned for Float32Array (which reads little-endian on every browser)
    weights[name] = new Float32Array(buffer.slice(start + begin, start + end));
  }
  const config = JSON.parse(metadata.config);
  const missing = tensorNames(config).filter((name) => !(name in weights));
  if (missing.length) throw new Error(`the model file has no ${missing.join(", ")}`);
  return { config, chars: JSON.parse(metadata.chars), weights };
}

// Every tensor nextLogits reads (lm_head.weight is not one: it is wte.weight).
function tensorNames({ n_layer: layers }) {
  const names = ["wte.weight", "wpe.weight", "ln_f.weight", "ln_f.bias"];
  for (let l = 0; l < layers; l++) {
    for (const part of ["ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"]) {
      names.push(`blocks.${l}.${part}.weight`, `blocks.${l}.${part}.bias`);
    }
  }
  return names;
}

/** The prompt's characters as ids; throws, naming them, if the model has never seen some. */
export function encode(model, text) {
  const unseen = [...new Set([...text])].filter((ch) => !model.chars.includes(ch)).sort();
  if (unseen.length) {
    throw new Error(`The model has never seen ${unseen.length === 1 ? "this character" : "these characters"}, ` +
      `so it cannot read ${unseen.length === 1 ? "it" : "them"}: ${unseen.map((ch) => JSON.stringify(ch)).join(" ")}`);
  }
  return [...text].map((ch) => model.chars.indexOf(ch));
}

/** The scores (logits) for every character of the vocabulary to come after ids. */
export function nextLogits(model, ids) {
  const { n_embd: C, n_head: heads, n_layer: layers, block_size: blockSize, vocab_size: vocab } = model.config;
  const w = model.weights;
  const context = ids.slice(-blockSize); // the model reads at most block_size characters: the last ones
  const T = context.length;

  let x = new Float32Array(T * C); // token embedding + position embedding
  context.forEach((id, t) => {
    for (let i = 0; i < C; i++) x[t * C + i] = w["wte.weight"][id * C + i] + w["wpe.weight"][t * C + i];
  });
  for (let l = 0; l < layers; l++) {
    const p = `blocks.${l}.`;
    const qkv = linear(layerNorm(x, C, w[p + "ln_1.weight"], w[p + "ln_1.bias"]), C,
      w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"]);
    x = add(x, linear(attention(qkv, T, C, heads), C, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"]));
    const hidden = linear(layerNorm(x, C, w[p + "ln_2.weight"], w[p + "ln_2.bias"]), C,
      w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]).map(gelu);
    x = add(x, linear(hidden, 4 * C, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"]));
  }
  // Only the last position's scores are needed; the output layer is the token embedding (tied).
  const last = layerNorm(x.subarray((T - 1) * C), C, w["ln_f.weight"], w["ln_f.bias"]);
  return linear(last, C, w["wte.weight"], new Float32Array(vocab));
}

// y = x W^T + b for each row of x (rows of length n); W is PyTorch's (out, in) layout.
function linear(x, n, W, b) {
  const rows = x.length / n;
  const out = b.length;
  const y = new Float32Array(rows * out);
  for (let r = 0; r < rows; r++) {
    const xr = r * n;
    for (let o = 0; o < out; o++) {
      const wo = o * n;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += x[xr + i] * W[wo + i];
      y[r * out + o] = sum + b[o];
    }
  }
  return y;
}

function layerNorm(x, n, gain, bias) {
  const y = new Float32Array(x.length);
  for (let r = 0; r < x.length / n; r++) {
    const row = x.subarray(r * n, (r + 1) * n);
    const mean = row.reduce((s, v) => s + v, 0) / n;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const scale = 1 / Math.sqrt(variance + 1e-5);
    for (let i = 0; i < n; i++) y[r * n + i] = (row[i] - mean) * scale * gain[i] + bias[i];
  }
  return y;
}

// Causal self-attention: each position mixes the values of itself and the positions before it,
// weighted by softmax(q·k / sqrt(head size)), separately in each head's slice of the width.
function attention(qkv, T, C, heads) {
  const size = C / heads;
  const y = new Float32Array(T * C);
  const weights = new Float64Array(T);
  for (let h = 0; h < heads; h++) {
    for (let t = 0; t < T; t++) {
      const q = t * 3 * C + h * size;
      let max = -Infinity;
      for (let s = 0; s <= t; s++) {
        const k = s * 3 * C + C + h * size;
        let dot = 0;
        for (let i = 0; i < size; i++) dot += qkv[q + i] * qkv[k + i];
        weights[s] = dot / Math.sqrt(size);
        max = Math.max(max, weights[s]);
      }
      let total = 0;
      for (let s = 0; s <= t; s++) total += (weights[s] = Math.exp(weights[s] - max));
      for (let i = 0; i < size; i++) {
        let sum = 0;
        for (let s = 0; s <= t; s++) sum += weights[s] * qkv[s * 3 * C + 2 * C + h * size + i];
        y[t * C + h * size + i] = sum / total;
      }
    }
  }
  return y;
}

function add(a, b) {
  return a.map((v, i) => v + b[i]);
}

// PyTorch's nn.GELU(): the exact one, x · Φ(x), which needs erf (JavaScript has none).
function gelu(x) {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

function erf(x) {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x); // within 1e-17
  // erf(a) = 2/√π · exp(-a²) · Σ 2ⁿ a^(2n+1) / (1·3·…·(2n+1)): all terms positive, so no cancellation
  let term = a;
  let sum = a;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

/**
 * What the dice are weighted by, as in snippets/sampling.py: softmax(logits / temperature), with
 * every character outside the top k (ties with the k-th included) at probability 0.
 */
export function probabilities(logits, temperature = 1, topK = null) {
  let scaled = Array.from(logits, (v) => v / temperature);
  if (topK !== null && topK < scaled.length) {
    const kth = [...scaled].sort((a, b) => b - a)[topK - 1];
    scaled = scaled.map((v) => (v < kth ? -Infinity : v));
  }
  const max = Math.max(...scaled);
  const exps = scaled.map((v) => Math.exp(v - max));
  const total = exps.reduce((s, v) => s + v, 0);
  return exps.map((v) => v / total);
}

/** Greedy: the id with the highest score (the first one, on a tie, like torch.argmax). */
export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Roll the dice: an id drawn with the given probabilities; random() is uniform in [0, 1). */
export function draw(probs, random = Math.random) {
  let left = random();
  for (let i = 0; i < probs.length; i++) {
    left -= probs[i];
    if (left < 0) return i;
  }
  return probs.findLastIndex((p) => p > 0); // rounding left a sliver: the last possible one
}

/** The n likeliest characters: [{ char, p }], likeliest first. */
export function top(model, probs, n = 10) {
  return probs.map((p, id) => ({ char: model.chars[id], p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, n);
}

/**
 * What is wrong with these settings, in a sentence for the reader, or null if nothing: the same
 * checks as check_settings in snippets/sampling.py.
 */
export function problem({ prompt, temperature, topK, greedy, length }) {
  if (prompt.length === 0) return "The prompt is empty: give the model at least one character to continue.";
  if (!greedy && !(temperature > 0)) {
    return `The temperature must be a number above 0${Number.isNaN(temperature) ? "" : `, not ${temperature}`}: ` +
      "the scores get divided by it. For always the likeliest character, tick greedy.";
  }
  if (topK !== null && !(Number.isInteger(topK) && topK >= 1)) {
    return `Top-k must be a whole number, at least 1, not ${topK} (leave it empty to draw from every character).`;
  }
  if (!(Number.isInteger(length) && length >= 1)) return "Ask for a whole number of characters, at least 1.";
  return null;
}
