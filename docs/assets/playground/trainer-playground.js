// The "train it here" widget: a tiny GPT that starts from random dials and trains in the reader's
// browser, on Python's manual or on text the reader pastes. The page only draws: the training runs in a
// Web Worker (trainer-worker.js), which loads TensorFlow.js and the text when the reader presses Train.
// Its stylesheet, trainer.css, is listed in mkdocs.yml like the other playgrounds'.
// <div class="trainer-playground" data-text="../data/python-reference.txt"></div>
import { announcer, element } from "./dom.js";

const SEED = 1337;
const MAX_SEED = 2 ** 31 - 1;
const SPOKEN_EVERY = 15_000; // ms between the progress a screen reader hears while it trains
const RATE_WINDOW = 20_000; // ms of recent training the estimate of the time left is based on
const WARM_UP = 10; // steps left out of that estimate (the first ones set up the backend: slower)
let widgets = 0; // for the ids that tie labels to their controls

export function start(root) {
  const id = `trainer-${++widgets}`;
  const site = element("input", { type: "radio", name: `${id}-source`, value: "site", checked: true });
  const own = element("input", { type: "radio", name: `${id}-source`, value: "own" });
  const text = element("textarea", { id: `${id}-text`, rows: 5, spellcheck: false, placeholder: "Paste at least 1,000 characters of plain text" });
  const textBox = element("div", { class: "tr-own", hidden: true },
    element("label", { for: `${id}-text` }, "Your text:"), text);
  const train = element("button", { type: "button", class: "md-button md-button--primary tr-train" }, "Train");
  const reset = element("button", { type: "button", class: "md-button tr-reset", disabled: true }, "Reset");
  const seed = element("input", { type: "number", id: `${id}-seed`, name: "seed", value: String(SEED), min: "0", max: String(MAX_SEED), step: "1", inputmode: "numeric" });
  const message = element("p", { class: "tr-message" }, "Press Train: the first time, your browser fetches the trainer and the text (about 0.5 MB).");
  const step = element("span", { class: "tr-step" }, "–");
  const speed = element("span", { class: "tr-speed" }, "–");
  const time = element("span", { class: "tr-time" }, "–");
  const trainLoss = element("span", { class: "tr-train-loss" }, "–");
  const heldoutLoss = element("span", { class: "tr-heldout-loss" }, "–");
  const chart = element("div", { class: "tr-chart" });
  const prompt = element("span", { class: "tr-prompt" });
  const guesses = element("ol", { class: "tr-guesses" });
  const written = element("span", { class: "tr-written" });
  // Shown once there is something to say: the first scores, the first guesses.
  const why = element("p", { class: "tr-why", hidden: true },
    "Validation text scoring better than the training text is no mistake: the model hasn't learned " +
    "its training text by heart, so both scores measure plain guessing, and the validation part is " +
    "probably just easier to guess. What counts is that both fall.");
  const sampled = element("div", { class: "tr-sampled", hidden: true },
    element("p", { class: "tr-caption" }, "Its five likeliest next words after “", prompt, "”:"),
    guesses,
    element("p", { class: "tr-caption" }, "What it writes after that (the same random draws every time, so only the dials change):"),
    element("pre", { class: "tr-sample" }, written));
  const results = element("div", { class: "tr-results", hidden: true },
    element("dl", { class: "tr-stats" },
      element("div", {}, element("dt", {}, "Step"), element("dd", {}, step)),
      element("div", {}, element("dt", {}, "Time"), element("dd", {}, time)),
      element("div", {}, element("dt", {}, "Characters per second"), element("dd", {}, speed)),
      element("div", {}, element("dt", {}, "Training text"), element("dd", {}, trainLoss)),
      element("div", {}, element("dt", {}, "Validation text"), element("dd", {}, heldoutLoss))),
    chart, why, sampled);
  root.replaceChildren(
    element("fieldset", { class: "tr-source" },
      element("legend", {}, "Train on"),
      element("label", {}, site, " Python's manual (the page's text)"),
      element("label", {}, own, " your own text")),
    textBox,
    element("div", { class: "tr-controls" },
      train, reset,
      element("label", { for: `${id}-seed` }, "Seed"), seed),
    message, results);
  const say = announcer(root); // a line for screen readers only

  let worker = null;
  let state = "idle"; // idle, loading, training, paused, done
  let runs = 0; // which run the worker's messages must be about: older ones are dropped
  let history = [];
  let spokenAt = 0;
  let uniform = null;
  let totalSteps = Infinity; // the run's last step, once the worker has said it
  let pace = []; // [step, ms spent training] from the worker's progress reports, for the time left
  const tell = (text, problem = false) => {
    message.textContent = text;
    message.classList.toggle("tr-problem", problem);
  };
  const setState = (next) => {
    state = next;
    root.dataset.state = next;
    train.textContent = { idle: "Train", loading: "Loading…", training: "Pause", paused: "Resume", done: "Train again" }[next];
    // (aria-disabled, not disabled: a disabled button would drop the keyboard's focus)
    train.setAttribute("aria-disabled", String(next === "loading"));
    reset.disabled = next === "idle";
    for (const input of [site, own, text, seed]) input.disabled = next !== "idle" && next !== "done";
  };

  function begin() {
    const seedValue = Number(seed.value);
    if (seed.value === "" || !Number.isInteger(seedValue) || seedValue < 0 || seedValue > MAX_SEED) {
      const not = seed.value === "" ? "" : `, not ${seed.value}`;
      tell(`The seed must be a whole number from 0 to ${MAX_SEED.toLocaleString("en")}${not}.`, true);
      say(message.textContent);
      return;
    }
    if (own.checked && text.value.length > 2_000_000) {
      // (checked here too, so that a huge paste never travels to the worker)
      tell(`That text is too long for a browser tab: ${text.value.length.toLocaleString("en")} characters; paste at most 2,000,000.`, true);
      say(message.textContent);
      return;
    }
    worker ??= connect();
    history = [];
    uniform = null;
    pace = [];
    time.textContent = "–";
    setState("loading");
    tell("Fetching the trainer and the text…");
    const source = own.checked ? { text: text.value } : { url: new URL(root.dataset.text, location.href).href };
    worker.postMessage({ type: "start", id: ++runs, seed: seedValue, ...source });
  }

  function connect() {
    const w = new Worker(new URL("./trainer-worker.js", import.meta.url), { type: "module" });
    w.onmessage = ({ data }) => {
      if (!root.isConnected) { // the reader went to another page (Material's instant navigation)
        w.terminate();
        return;
      }
      receive(data);
    };
    w.onerror = (event) => {
      event.preventDefault();
      tell(`The trainer stopped: ${event.message || "its worker could not start"}.`, true);
      say(message.textContent);
      setState("idle");
    };
    return w;
  }

  function receive(data) {
    if (data.id !== runs || state === "idle") return; // about a run from before a reset
    if (data.type === "ready") {
      uniform = Math.log2(data.vocab);
      results.hidden = false;
      why.hidden = true;
      sampled.hidden = true;
      totalSteps = Infinity; // a new run says its own
      setState("training");
      tell(`Training a tiny model with ${data.weights.toLocaleString("en")} weights (${data.settings.n_layer} layers, ` +
        `${data.settings.n_embd} numbers per character, reading ${data.settings.block_size} characters at a time) ` +
        `on ${data.trainChars.toLocaleString("en")} characters, keeping ${data.heldoutChars.toLocaleString("en")} aside to check it on (the validation text).`);
      say("Training started.");
    } else if (data.type === "progress") {
      step.textContent = `${data.step.toLocaleString("en")} of ${data.steps.toLocaleString("en")}`;
      totalSteps = data.steps;
      if (data.charsPerSecond) speed.textContent = Math.round(data.charsPerSecond).toLocaleString("en");
      if (data.step > WARM_UP) pace.push([data.step, data.runningMs]);
      time.textContent = timeText(data.runningMs, timeLeft(pace, data.steps));
    } else if (data.type === "eval") {
      history.push(data);
      why.hidden = false;
      trainLoss.textContent = `${data.train.toFixed(2)} bits per character`;
      heldoutLoss.textContent = `${data.heldout.toFixed(2)} bits per character`;
      if (data.sample !== undefined) {
        prompt.textContent = data.prompt.trimEnd();
        guesses.replaceChildren(...data.guesses.map(({ word, p }) => element("li", {},
          element("span", { class: "tr-word" }, word),
          element("span", { class: "tr-track", "aria-hidden": "true" },
            element("span", { class: "tr-fill", style: `width: ${Math.max(0.5, 100 * p / data.guesses[0].p).toFixed(1)}%` })),
          element("span", { class: "tr-p" }, percent(p)))));
        written.textContent = data.sample;
        sampled.hidden = false;
        root.dataset.sampledAt = data.step;
      }
      drawChart();
      if (performance.now() - spokenAt > SPOKEN_EVERY) {
        spokenAt = performance.now();
        say(`Step ${data.step.toLocaleString("en")}: validation text ${data.heldout.toFixed(2)} bits per character.`);
      }
    } else if (data.type === "paused") {
      setState("paused");
      tell(`Paused at step ${data.step.toLocaleString("en")}. Resume goes on from here.`);
      say(message.textContent);
    } else if (data.type === "done") {
      setState("done");
      time.textContent = timeText(data.runningMs, 0);
      tell(`Done: ${data.step.toLocaleString("en")} steps. Train again starts over from random dials (the same ones for the same seed).`);
      say(message.textContent);
    } else if (data.type === "problem" || data.type === "error") {
      setState("idle");
      results.hidden = true;
      tell(data.type === "problem" ? data.message : `The trainer stopped: ${data.message}`, true);
      say(message.textContent);
    }
  }

  function drawChart() {
    chart.replaceChildren(lossChart(history, uniform, totalSteps));
  }

  train.addEventListener("click", () => {
    if (state === "loading") return;
    if (state === "idle" || state === "done") begin();
    else if (state === "training") worker.postMessage({ type: "pause" });
    else if (state === "paused") {
      worker.postMessage({ type: "resume" });
      setState("training");
      tell("Training…");
      say("Resumed.");
    }
  });
  reset.addEventListener("click", () => {
    if (document.activeElement === reset) train.focus(); // Reset is about to be disabled
    worker?.postMessage({ type: "reset" });
    runs += 1;
    setState("idle");
    history = [];
    results.hidden = true;
    chart.replaceChildren();
    tell("Reset: the next Train starts from new random dials (the same ones for the same seed).");
    say(message.textContent);
  });
  for (const radio of [site, own]) {
    radio.addEventListener("change", () => {
      textBox.hidden = !own.checked;
      if (own.checked) text.focus();
    });
  }
  setState("idle");
}

// How long the rest will take, in ms: the steps left at the pace of the last RATE_WINDOW ms of
// training (null until there is a pace to go by).
function timeLeft(pace, steps) {
  const last = pace.at(-1);
  if (!last) return null;
  const first = pace.find(([, ms]) => last[1] - ms <= RATE_WINDOW) ?? pace[0];
  if (last[0] === first[0]) return null;
  return ((steps - last[0]) * (last[1] - first[1])) / (last[0] - first[0]);
}

// "1:05 so far, about 3 min left": minutes and seconds of training (pauses not counted).
function timeText(spent, left) {
  const clock = (ms) => {
    const s = Math.round(ms / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };
  if (left === 0) return `${clock(spent)} in all`;
  if (left === null) return `${clock(spent)} so far`;
  const rest = left < 60_000 ? "under a minute left" : `about ${Math.round(left / 60_000)} min left`;
  return `${clock(spent)} so far, ${rest}`;
}

// A word's probability: as a percentage, or, below 0.1%, in scientific notation as the page prints
// the untrained model's (1.0e-05 is 0.00001).
function percent(p) {
  return p >= 0.001 ? `${(100 * p).toFixed(1)}%` : p.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2");
}

// The two loss curves, in bits per character, against the step: an SVG with its numbers in words too.
function lossChart(history, uniform, steps = Infinity) {
  const W = 320;
  const H = 160;
  const left = 34;
  const bottom = 22;
  const last = history.at(-1);
  // room to grow while training, up to the run's last step
  const maxStep = Math.max(last.step, Math.min(steps, Math.max(100, Math.ceil((last.step * 1.2) / 100) * 100)));
  const top = Math.ceil(Math.max(uniform ?? 0, ...history.map((h) => Math.max(h.train, h.heldout))));
  const floor = Math.max(0, Math.floor(Math.min(...history.map((h) => Math.min(h.train, h.heldout))) - 0.5));
  const x = (step) => left + ((W - left - 6) * step) / maxStep;
  const y = (bits) => 6 + ((H - bottom - 6) * (top - bits)) / (top - floor || 1);
  const svg = (tag, attributes, ...children) => {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  };
  const parts = [];
  for (let bits = floor; bits <= top; bits++) {
    parts.push(svg("line", { x1: left, x2: W - 6, y1: y(bits), y2: y(bits), class: "tr-grid" }),
      svg("text", { x: left - 4, y: y(bits) + 3, "text-anchor": "end" }, String(bits)));
  }
  for (const step of [0, maxStep / 2, maxStep]) {
    parts.push(svg("text", { x: x(step), y: H - 6, "text-anchor": step === 0 ? "start" : step === maxStep ? "end" : "middle" },
      step.toLocaleString("en")));
  }
  for (const [key, cls] of [["train", "tr-line-train"], ["heldout", "tr-line-heldout"]]) {
    parts.push(svg("polyline", { class: cls, points: history.map((h) => `${x(h.step).toFixed(1)},${y(h[key]).toFixed(1)}`).join(" ") }));
  }
  const summary = `Loss curves up to step ${last.step}: training text from ${history[0].train.toFixed(2)} to ` +
    `${last.train.toFixed(2)} bits per character, validation text from ${history[0].heldout.toFixed(2)} to ${last.heldout.toFixed(2)}.`;
  return element("figure", {},
    svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summary }, ...parts),
    element("figcaption", {},
      element("span", { class: "tr-key tr-key-train" }, "training text"), " ",
      element("span", { class: "tr-key tr-key-heldout" }, "validation text (never trained on)"),
      ", in bits per character, by step"));
}
