// Talking to a playground's Web Worker: the page asks, the worker answers, and the page's main thread
// stays free (a phone keeps scrolling while a worker parses 3 MB of vocabulary or runs a model).
//
// On the page:   const call = connect(new URL("./my-worker.js", import.meta.url));
//                const answer = await call("work", { some: "input" });
// In the worker: serve({ work: async ({ some }) => result });
// A handler's error rejects the page's promise with the same message. A typed array in an answer
// is moved to the page, not copied.
//
// The tokenizer and sampling playgrounds talk this way: one answer per request. The trainer does
// not (trainer-worker.js): a training run is one request followed by a stream of events (progress,
// evaluations, samples, done) that the page must take as they come, and pause, resume and reset
// act on the run under way, so that worker has a small protocol of its own, written out in its
// header.

/** The page's side: a function that sends the worker a request and resolves with its answer. */
export function connect(url) {
  const worker = new Worker(url, { type: "module" });
  const waiting = new Map();
  let next = 0;
  worker.addEventListener("message", ({ data: { id, result, error } }) => {
    const { resolve, reject } = waiting.get(id);
    waiting.delete(id);
    if (error === undefined) resolve(result);
    else reject(new Error(error));
  });
  worker.addEventListener("error", (event) => { // the worker itself failed to start (a missing file, say)
    event.preventDefault();
    for (const { reject } of waiting.values()) reject(new Error(event.message || "the worker did not start"));
    waiting.clear();
  });
  return (type, input = {}) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, type, input });
  });
}

/** The worker's side: answer each request with the handler of its type. */
export function serve(handlers) {
  self.addEventListener("message", async ({ data: { id, type, input } }) => {
    try {
      const result = await handlers[type](input);
      self.postMessage({ id, result }, ArrayBuffer.isView(result) ? [result.buffer] : []);
    } catch (error) {
      self.postMessage({ id, error: error?.message ?? String(error) });
    }
  });
}
