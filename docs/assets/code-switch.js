// The "Show all the code" switch under a page's title (hooks/reader.py puts it there, hidden, on pages
// whose code is folded): on, it opens every folded code block of the page, the demos' setup
// included; off, it folds them again. The reader's choice is remembered in this browser
// (localStorage) and applied to every page they open next, including the pages Material's instant
// navigation swaps in without reloading (its document$ observable emits for each one).
// The demos' setup strips ("Setup for X.py: imports and options") are for a reader who runs the
// code: while this script runs, they show only with the switch on (extra.css, .show-all-code).

const KEY = "llms101.show-code";

function remembered() {
  try {
    return localStorage.getItem(KEY) === "on";
  } catch {
    return false; // storage blocked: the switch still works on this page
  }
}

function remember(on) {
  try {
    localStorage.setItem(KEY, on ? "on" : "off");
  } catch {
    // storage blocked: nothing to remember it in
  }
}

function showCode(on) {
  document.documentElement.classList.toggle("show-all-code", on);
  for (const fold of document.querySelectorAll(".md-content details.snippet-code")) fold.open = on;
}

function setUp() {
  const on = remembered();
  document.documentElement.classList.add("code-switch-ready");
  document.documentElement.classList.toggle("show-all-code", on);
  for (const input of document.querySelectorAll(".code-switch input")) {
    input.closest(".code-switch").hidden = false;
    input.checked = on;
    if (input.dataset.ready) continue; // document$ may emit again for the same page
    input.dataset.ready = "true";
    input.addEventListener("change", () => {
      remember(input.checked);
      showCode(input.checked);
    });
  }
  if (on) showCode(true);
}

if (window.document$) window.document$.subscribe(setUp);
else setUp();
