// The sampling playground: the page's tiny GPT, running in the browser. It shows the next
// character's probabilities for a prompt, and writes a continuation one character at a time,
// greedy or with temperature and top-k. The model itself is in gpt.js.
import { argmax, draw, encode, loadModel, nextLogits, probabilities, problem, top } from "./gpt.js";
import { visible } from "./tokenize.js";
import { element, fetchExport } from "./dom.js";

const PROMPT = "the cat sat on the ";
const BARS = 10;
const MAX_LENGTH = 2000; // characters one click may write

export async function start(root) {
  const prompt = element("textarea", { rows: 2, spellcheck: false, "aria-label": "Prompt" });
  prompt.value = PROMPT;
  // Temperature 1 by default: the chart then shows the model's own probabilities, as the page does.
  const temperature = element("input", { type: "number", name: "temperature", value: "1", step: "0.1" });
  const topK = element("input", { type: "number", name: "top-k", min: "1", step: "1", placeholder: "all" });
  const greedy = element("input", { type: "checkbox", name: "greedy" });
  const length = element("input", { type: "number", name: "characters", value: "200", min: "1", max: String(MAX_LENGTH), step: "1" });
  const button = element("button", { type: "button", class: "md-button md-button--primary", disabled: true },
    "Generate");
  const message = element("p", { class: "sp-message", role: "status" }, "Loading the model…");
  const caption = element("p", { class: "sp-caption" });
  const bars = element("div", { class: "sp-bars" });
  const given = element("span", { class: "sp-prompt" });
  const written = element("span", { class: "sp-written" });
  const output = element("pre", { class: "sp-output", hidden: true }, given, written);
  const chartBox = element("div", { class: "sp-chart" }, caption, bars);

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

  let model;
  try {
    model = loadModel(await (await fetchExport(root.dataset.model)).arrayBuffer());
  } catch (error) {
    message.textContent = `Could not load the model: ${error.message}`;
    message.classList.add("sp-error");
    return;
  }

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
      return element("div", { class: "sp-bar" },
        element("code", {}, visible(char)),
        element("span", { class: "sp-track" }, element("span", { class: "sp-fill", style: `width: ${percent}` })),
        element("span", { class: "sp-p" }, percent));
    }));
    return probs;
  }

  let run = 0; // which generation may go on writing: anything that bumps it stops the current one
  const stop = () => {
    run++;
    button.textContent = "Generate";
    root.dataset.state = "ready";
  };

  function refresh() {
    if (root.dataset.state === "generating") stop();
    temperature.disabled = topK.disabled = greedy.checked; // greedy takes the top one: no dice
    const s = settings();
    const ids = check(s);
    if (ids) chart(nextLogits(model, ids), s);
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
    for (let n = 0; n < s.length && run === mine && root.isConnected; n++) {
      const logits = nextLogits(model, ids);
      const probs = chart(logits, s);
      const next = s.greedy ? argmax(logits) : draw(probs);
      ids.push(next);
      written.textContent += model.chars[next];
      await new Promise(requestAnimationFrame); // let the page show each character as it comes
    }
    if (run === mine) stop();
  }

  for (const input of [prompt, temperature, topK, greedy, length]) input.addEventListener("input", refresh);
  button.addEventListener("click", () => (root.dataset.state === "generating" ? stop() : generate()));
  button.disabled = false;
  root.dataset.state = "ready";
  refresh();
}
