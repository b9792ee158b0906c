// The sampling playground: the page's tiny GPT, running in the browser. It shows the next
// character's probabilities for a prompt, and writes a continuation one character at a time,
// greedy or with temperature and top-k. The model itself is in gpt.js, run by a Web Worker
// (gpt-worker.js) that loads the weights once a reader starts using the playground.
import { argmax, draw, encode, probabilities, problem, top } from "./gpt.js";
import { visible } from "./tokenize.js";
import { address, announcer, element, reducedMotion } from "./dom.js";
import { connect } from "./worker.js";

const PROMPT = "the cat sat on the ";
const BARS = 10;
const MAX_LENGTH = 2000; // characters one click may write
const QUIET = 800; // ms without typing before a screen reader hears what is wrong with the settings
const SPOKEN = { " ": "space", "\n": "new line", "\t": "tab" }; // how a screen reader reads a chart's character (a new line is drawn ↵, the Enter key)

// The worker, and each model it loaded (address -> promise of { chars, config }), once a reader has
// used a playground in this tab: a page shown again uses them straight away.
let call = null;
const models = new Map();

function loadModel(url) {
  call ??= connect(new URL("./gpt-worker.js", import.meta.url));
  if (!models.has(url)) {
    const loading = call("load", { url });
    loading.catch(() => models.delete(url)); // a reader may try again after a failure
    models.set(url, loading);
  }
  return models.get(url);
}

export async function start(root, { used = Promise.resolve() } = {}) {
  const prompt = element("textarea", { rows: 2, spellcheck: false });
  prompt.value = PROMPT;
  // Temperature 1 by default: the chart then shows the model's own probabilities, as the page does.
  const temperature = element("input", { type: "number", name: "temperature", value: "1", step: "0.1" });
  const topK = element("input", { type: "number", name: "top-k", min: "1", step: "1", placeholder: "all" });
  const greedy = element("input", { type: "checkbox", name: "greedy" });
  const length = element("input", { type: "number", name: "characters", value: "200", min: "1", max: String(MAX_LENGTH), step: "1" });
  const button = element("button", { type: "button", class: "md-button md-button--primary" }, "Generate");
  const message = element("p", { class: "sp-message" },
    "The model (under a megabyte, fetched once) loads when you start: click or type in the prompt, change a setting, or press Generate.");
  const caption = element("p", { class: "sp-caption" });
  const bars = element("div", { class: "sp-bars", role: "list" });
  const given = element("span", { class: "sp-prompt" });
  const written = element("span", { class: "sp-written" });
  const output = element("pre", { class: "sp-output", hidden: true, "aria-label": "What the model wrote" }, given, written);
  // The chart draws a space as · and a new line as ↵: the key says so (a screen reader hears the words already).
  const key = element("p", { class: "sp-key", "aria-hidden": "true" }, "· = space, ↵ = new line");
  const chartBox = element("div", { class: "sp-chart", hidden: true }, caption, bars, key);

  root.replaceChildren(
    element("label", { class: "sp-label" }, "Prompt:", prompt),
    element("div", { class: "sp-controls" },
      element("label", {}, "temperature ", temperature),
      element("label", {}, "top-k ", topK),
      element("label", {}, greedy, " greedy"),
      element("label", {}, "characters ", length),
      button),
    message,
    chartBox,
    output,
  );
  const say = announcer(root);
  root.dataset.state = "waiting";

  let model = null; // { chars, config }, once loaded
  let wanted = false; // the reader pressed Generate before the model was there
  let run = 0; // which generation may go on writing: anything that bumps it stops the current one
  button.addEventListener("click", () => {
    if (!model) wanted = true;
    else if (root.dataset.state === "generating") stop();
    else generate();
  });

  const url = address(root.dataset.model);
  if (!models.has(url)) await used;
  message.textContent = "Loading the model…";
  say("Loading the model…");
  try {
    model = await loadModel(url);
  } catch (error) {
    message.textContent = `Could not load the model: ${error.message}`;
    message.classList.add("sp-error");
    say(message.textContent);
    return;
  }
  message.textContent = "";

  const settings = () => ({
    prompt: prompt.value,
    temperature: temperature.value === "" ? NaN : Number(temperature.value),
    topK: topK.value === "" ? null : Number(topK.value),
    greedy: greedy.checked,
    length: Math.min(Number(length.value), MAX_LENGTH),
  });

  // The prompt as ids, or null after telling the reader what is wrong (in the message line).
  function check(s) {
    let said = problem(s);
    let ids = null;
    if (!said) {
      try {
        ids = encode(model, s.prompt);
      } catch (error) {
        said = error.message;
      }
    }
    message.textContent = said ?? "";
    message.classList.toggle("sp-error", Boolean(said));
    chartBox.hidden = Boolean(said);
    if (said) say(said, QUIET);
    return ids;
  }

  // The chart: the likeliest next characters. Greedy shows the model's own probabilities (it takes
  // the top one); sampling shows what the dice are weighted by, after temperature and top-k.
  function chart(logits, s) {
    const probs = s.greedy ? probabilities(logits) : probabilities(logits, s.temperature, s.topK);
    const topK = s.topK ? `, top ${s.topK} only` : "";
    caption.textContent = s.greedy
      ? "The next character after the text so far: the model's probabilities (greedy takes the top one)"
      : `The next character after the text so far: what the dice are weighted by (temperature ${s.temperature}${topK})`;
    const shown = top(model, probs, BARS).filter(({ p }) => p > 0); // top-k: the others never get a ticket
    bars.replaceChildren(...shown.map(({ char, p }) => {
      const percent = `${(100 * p).toFixed(1)}%`;
      return element("div", { class: "sp-bar", role: "listitem" },
        element("code", SPOKEN[char] ? { "aria-label": SPOKEN[char] } : {}, char === "\n" ? "↵" : visible(char)),
        element("span", { class: "sp-track", "aria-hidden": "true" },
          element("span", { class: "sp-fill", style: `width: ${percent}` })),
        element("span", { class: "sp-p" }, percent));
    }));
  }

  // The scores after the prompt, kept: changing temperature or top-k redraws the chart at once.
  let last = { key: null, logits: null };
  async function logitsAfter(ids) {
    const key = ids.join(" ");
    if (last.key !== key) last = { key, logits: await call("logits", { url, ids }) };
    return last.logits;
  }

  const stop = () => {
    run++;
    button.textContent = "Generate";
    root.dataset.state = "ready";
  };

  async function refresh() {
    if (root.dataset.state === "generating") stop();
    temperature.disabled = topK.disabled = greedy.checked; // greedy takes the top one: no dice
    const s = settings();
    const ids = check(s);
    if (!ids) return;
    const mine = run;
    const logits = await logitsAfter(ids);
    if (mine === run && prompt.value === s.prompt) chart(logits, settings());
  }

  async function generate() {
    const s = settings();
    const ids = check(s);
    if (!ids) return;
    const mine = ++run;
    button.textContent = "Stop";
    root.dataset.state = "generating";
    given.textContent = s.prompt;
    written.textContent = "";
    output.hidden = false;
    say("Writing…");
    const calm = reducedMotion(); // then the text appears once it is written, not character by character
    let text = "";
    let logits = null;
    for (let n = 0; n < s.length && run === mine && root.isConnected; n++) {
      logits = await call("logits", { url, ids });
      if (run !== mine) break;
      const next = s.greedy ? argmax(logits) : draw(probabilities(logits, s.temperature, s.topK));
      ids.push(next);
      text += model.chars[next];
      if (!calm) {
        chart(logits, s);
        written.textContent = text;
        await new Promise(requestAnimationFrame); // let the page show each character as it comes
      }
    }
    if (logits) chart(logits, s);
    written.textContent = text;
    if (run === mine) {
      stop();
      say(`Done: the model wrote ${[...text].length} characters, shown under the chart.`);
    }
  }

  for (const input of [prompt, temperature, topK, greedy, length]) input.addEventListener("input", refresh);
  await refresh();
  root.dataset.state = "ready";
  say("The model is ready.");
  if (wanted) generate();
}
