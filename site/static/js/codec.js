// Loads the WebAssembly codec (wasm/ of the project, described by
// wasm/licet.d.ts) on first use. Paths are relative to this module, so the
// loader works under the server and from static files alike.

let pending = null;

/**
 * Resolves to the module's API object (globalThis.licet), loading Go's
 * wasm_exec.js and licet.wasm the first time. A failed load is retried on
 * the next call.
 */
export function loadCodec() {
  if (!pending) {
    pending = load().catch((e) => {
      pending = null;
      throw e;
    });
  }
  return pending;
}

async function load() {
  if (globalThis.licet) return globalThis.licet;
  if (!globalThis.Go) await import(new URL('../wasm/wasm_exec.js', import.meta.url).href);
  const go = new globalThis.Go();
  const url = new URL('../wasm/licet.wasm', import.meta.url);
  let instance;
  if (WebAssembly.instantiateStreaming && url.protocol !== 'file:') {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`codec: ${url.pathname}: HTTP ${res.status}`);
    ({ instance } = await WebAssembly.instantiateStreaming(res, go.importObject));
  } else {
    const res = await fetch(url);
    ({ instance } = await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject));
  }
  // run() settles only when the Go program exits; by the time it returns
  // control here, main has installed globalThis.licet.
  go.run(instance).catch(() => {});
  if (!globalThis.licet) throw new Error('codec: the module did not start');
  return globalThis.licet;
}
