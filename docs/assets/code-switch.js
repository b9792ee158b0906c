// The "Show all the code" switch under a page's title (hooks/reader.py puts it there, hidden, on pages
// whose code is folded): on, it opens every folded code block of the page, the demos' setup
// included; off, it folds them again. The reader's choice is remembered in this browser
// (localStorage) and applied to every page they open next, including the pages Material's instant
// navigation swaps in without reloading (its document$ observable emits for each one).
// The demos' setup strips ("Setup for X.py: imports and options") are for a reader who runs the
// code: while this script runs, they show only with the switch on (extra.css, .show-all-code).
// Below it, the other switch a reader would otherwise flip on every visit: the system tabs.

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

// The system tabs (Run it yourself: "Linux", "macOS", "Windows") open on the reader's own system.
// They are Material's linked content tabs (content.tabs.link): a tab the reader picks is remembered
// in this browser as Material's "__tabs" list (__md_set, labels, latest first), and an inline script
// Material puts after each page's content checks the remembered tab of every tab set before its
// bundle sets the tabs up (partials/javascripts/content.html). Without a remembered choice every set
// opens on its first tab, Linux, which few readers use. So, once, when nothing is remembered: guess
// the system from the browser's user agent, remember it the way Material does (its own script then
// restores it on every page, the pages its instant navigation swaps in included), and check it here.
// This script runs before the DOMContentLoaded that Material's bundle waits for to set up the tabs,
// so the tabs are set up on the guessed one. A phone runs none of the commands: an iPhone or iPad
// gets macOS, an Android phone Windows (the likelier laptop), a Chromebook Linux.
const SYSTEMS = [
  [/Windows/, "Windows"],
  [/Android/, "Windows"],
  [/Macintosh|Mac OS X|iPhone|iPad|iOS|macOS/, "macOS"],
  [/Linux|X11|CrOS|Chrome OS/, "Linux"],
];

function readersSystem() {
  const said = [navigator.userAgent || "", (navigator.userAgentData || {}).platform || ""];
  for (const text of said) {
    for (const [pattern, system] of SYSTEMS) if (pattern.test(text)) return system;
  }
  return null;
}

function openOnReadersSystem() {
  try {
    if (!window.__md_get || Array.isArray(__md_get("__tabs"))) return; // the reader's own choice
  } catch {
    return; // storage blocked: nothing remembered, nothing to remember it in
  }
  const system = readersSystem();
  if (!system) return;
  __md_set("__tabs", [system]);
  for (const set of document.querySelectorAll(".tabbed-set")) {
    const label = [...set.querySelectorAll(":scope > .tabbed-labels > label")].find(
      (each) => each.textContent.trim() === system,
    );
    if (label) document.getElementById(label.htmlFor).checked = true;
  }
}

openOnReadersSystem();
