// Starts the in-page playgrounds: <div class="tokenizer-playground"> and <div class="sampling-playground">.
// Material's instant navigation swaps pages without running this script again, so the widgets start
// from its document$ observable, which emits for every page shown. A widget's code is only fetched on
// a page that has one, and the big files it needs (vocabularies, a model) only once a reader starts
// using it: start(root, { used }) gets a promise that resolves then (firstUse, below). This file
// imports nothing, so that a page without a playground fetches no more than it.

const WIDGETS = {
  ".tokenizer-playground": () => import("./tokenizer-playground.js"),
  ".sampling-playground": () => import("./sampling-playground.js"),
  ".trainer-playground": () => import("./trainer-playground.js"),
};

function startAll() {
  nameTheThemesParts();
  watchScrollableCode();
  zoomableFigures();
  for (const [selector, load] of Object.entries(WIDGETS)) {
    for (const root of document.querySelectorAll(selector)) {
      if (root.dataset.started) continue; // document$ may emit again for the same page
      root.dataset.started = "true";
      const used = firstUse(root); // listening from now: a reader may click before the code arrives
      load()
        .then((widget) => widget.start(root, { used }))
        .catch((error) => { root.textContent = `This playground could not start: ${error.message}`; });
    }
  }
}

/**
 * Resolves when a reader starts using the widget: focuses any of its controls (Tab or a click),
 * presses a key or touches it. A widget fetches its big files (vocabularies, a model) only then, so
 * that a reader who only reads the page never downloads them.
 */
function firstUse(root) {
  return new Promise((resolve) => {
    const events = ["focusin", "pointerdown", "keydown"];
    const begin = () => {
      for (const event of events) root.removeEventListener(event, begin, true);
      resolve();
    };
    for (const event of events) root.addEventListener(event, begin, true);
    if (root.contains(document.activeElement)) begin();
  });
}

// Parts of Material's pages that a screen reader would announce without a name.
function nameTheThemesParts() {
  const names = [
    [".md-progress[role=progressbar]", "Loading the page"],
    [".md-search[role=dialog]", "Search"],
  ];
  for (const [selector, name] of names) {
    for (const part of document.querySelectorAll(selector)) {
      if (!part.hasAttribute("aria-label")) part.setAttribute("aria-label", name);
    }
  }
}

// Code that scrolls sideways (a long line on a phone, a notebook cell) takes keyboard focus, so that a
// keyboard can scroll it. Material does this for a code block once it has set it up, which with
// content.lazy is when it comes into view, and never for the notebook pages' cells. A ResizeObserver
// reports each block after the browser has laid it out, so reading its widths costs nothing extra.
const scrollable = new ResizeObserver((entries) => {
  const scrolling = entries.map(({ target }) => target).filter((code) => code.scrollWidth > code.clientWidth);
  for (const code of scrolling) if (!code.hasAttribute("tabindex")) code.tabIndex = 0;
});

function watchScrollableCode() {
  scrollable.disconnect(); // the blocks of the page before (instant navigation)
  const blocks = document.querySelectorAll(".md-typeset pre > code, .jupyter-wrapper .highlight-ipynb");
  for (const code of blocks) scrollable.observe(code);
  // A block off screen is laid out only when a reader scrolls near it, so the observer cannot tell
  // yet whether it will scroll; but Tab should reach it before then. Its longest line, in the code
  // font's character width, against the width of its box (which is laid out), says so. A folded block
  // is left to the observer, which reports it once a reader opens its fold: asking its width now would
  // make the browser lay out every fold's lines at once (on a long chapter, most of a phone's first
  // second). For the same reason the code's style is read once for each kind of block.
  const kinds = new Map(); // "box classes|code classes" -> { font, pre } for that kind of block
  const wide = [];
  const probe = document.createElement("span");
  probe.textContent = "0".repeat(40);
  probe.style.cssText = "position: absolute; visibility: hidden; white-space: pre";
  const widths = new Map(); // a character's width, by font: measured once each
  for (const code of blocks) {
    const box = code.closest("pre, .jp-InputArea-editor");
    if (!box || code.hasAttribute("tabindex") || box.closest("details:not([open])")) continue;
    const kind = `${box.className}|${code.className}`;
    if (!kinds.has(kind)) {
      const style = getComputedStyle(code.querySelector("pre") ?? code);
      kinds.set(kind, { font: style.font, pre: style.whiteSpace === "pre" });
    }
    const { font, pre } = kinds.get(kind);
    if (!pre) continue;
    if (!widths.has(font)) {
      probe.style.font = font;
      document.body.append(probe);
      widths.set(font, probe.getBoundingClientRect().width / 40);
      probe.remove();
    }
    const character = widths.get(font);
    const longest = Math.max(...code.textContent.split("\n").map((line) => line.length));
    if (longest * character > box.clientWidth - 2 * character) wide.push(code);
  }
  for (const code of wide) code.tabIndex = 0; // writing last: each write would have the next read lay the page out again
}

// A figure's small labels need a bigger picture, and the image file opened on its own is drawn no
// bigger than on the page (smaller, on a phone): a tap or click doubles the figure in place (it then
// scrolls sideways inside its own box) and a second one shrinks it back.
function zoomableFigures() {
  for (const link of document.querySelectorAll(".snippet-figure-link")) {
    if (link.dataset.zoomable) continue; // document$ may emit again for the same page
    link.dataset.zoomable = "true";
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const zoomed = link.closest(".snippet-figure").classList.toggle("zoomed");
      for (const each of link.parentElement.querySelectorAll(".snippet-figure-link")) {
        each.setAttribute("aria-expanded", String(zoomed));
      }
    });
  }
}

if (window.document$) window.document$.subscribe(startAll);
else startAll(); // a page without Material's instant navigation
