// Starts TensorFlow.js on its WebAssembly backend for the trainer: in the page's worker, and in Node's
// tests, so that both check the same arithmetic. benchmarks/trainer_speed.py compares the backends.

/**
 * tf: the vendored TensorFlow.js (docs/assets/vendor/tfjs/tfjs.js); folder: the URL of the folder with
 * its .wasm files, ending in "/".
 */
export async function startBackend(tf, folder, backend = "wasm") {
  if (backend === "wasm") {
    // Threads would need cross-origin isolation (SharedArrayBuffer), which GitHub Pages cannot give.
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    tf.setWasmPaths(folder, true); // true: fetch the .wasm with fetch(), which Node's tests can serve
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  if (backend === "wasm") transposeFirst(tf);
  return tf.getBackend();
}

/**
 * The WASM backend multiplies matrices with XNNPACK only when neither is transposed; with a transposed one
 * it falls back to a plain loop about ten times slower, and every gradient of a matrix product has one.
 * So transpose first (a fast kernel of its own), then multiply. Same numbers, same gradients: only the
 * kernel underneath changes.
 */
function transposeFirst(tf) {
  const original = tf.getKernel("BatchMatMul", "wasm");
  const matMul = original.kernelFunc;
  const transpose = tf.getKernel("Transpose", "wasm").kernelFunc;
  const swapLastTwo = (x, backend) => {
    const perm = x.shape.map((_, i) => i);
    perm.splice(-2, 2, perm.length - 1, perm.length - 2);
    return transpose({ inputs: { x }, backend, attrs: { perm } });
  };
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel({
    kernelName: "BatchMatMul",
    backendName: "wasm",
    setupFunc: original.setupFunc,
    kernelFunc({ inputs: { a, b }, backend, attrs }) {
      if (!attrs.transposeA && !attrs.transposeB) return matMul({ inputs: { a, b }, backend, attrs });
      const a2 = attrs.transposeA ? swapLastTwo(a, backend) : a;
      const b2 = attrs.transposeB ? swapLastTwo(b, backend) : b;
      const out = matMul({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      for (const t of [a2, b2]) if (t !== a && t !== b) backend.disposeData(t.dataId);
      return out;
    },
  });
}
