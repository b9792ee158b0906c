// Starts the in-page playgrounds: <div class="tokenizer-playground"> and <div class="sampling-playground">.
// Material's instant navigation swaps pages without running this script again, so the widgets start
// from its document$ observable, which emits for every page shown. A widget's code, and the
// vocabularies or model it needs, are only fetched on a page that has one.
const WIDGETS = {
  ".tokenizer-playground": () => import("./tokenizer-playground.js"),
  ".sampling-playground": () => import("./sampling-playground.js"),
  ".trainer-playground": () => import("./trainer-playground.js"),
};

function startAll() {
  for (const [selector, load] of Object.entries(WIDGETS)) {
    for (const root of document.querySelectorAll(selector)) {
      if (root.dataset.started) continue; // document$ may emit again for the same page
      root.dataset.started = "true";
      load()
        .then((widget) => widget.start(root))
        .catch((error) => { root.textContent = `This playground could not start: ${error.message}`; });
    }
  }
}

if (window.document$) window.document$.subscribe(startAll);
else startAll(); // a page without Material's instant navigation
