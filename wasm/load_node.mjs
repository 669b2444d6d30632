// Loads the built WebAssembly module (make wasm) into a Node process with
// Go's wasm_exec.js, as the browser does, for the tests in test/. It lives
// outside test/ because `node --test wasm/test/` runs every file there.

import { readFile, access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = path.join(root, 'site/static/wasm');

/** Reads a JSON file relative to the repository root. */
export async function readJSON(rel) {
  return JSON.parse(await readFile(path.join(root, rel), 'utf8'));
}

let loaded;

/** The licet global of the running module; loads it on first use. */
export function loadLicet() {
  loaded ??= load();
  return loaded;
}

async function load() {
  const wasmPath = path.join(wasmDir, 'licet.wasm');
  const execPath = path.join(wasmDir, 'wasm_exec.js');
  for (const p of [wasmPath, execPath]) {
    try {
      await access(p);
    } catch {
      throw new Error(`${path.relative(root, p)} is missing: run "make wasm" first`);
    }
  }
  await import(execPath);
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), go.importObject);
  // run() resolves only when the program exits; main installs the global
  // object and then waits for calls.
  go.run(instance);
  if (!globalThis.licet) throw new Error('the module did not install globalThis.licet');
  return globalThis.licet;
}
