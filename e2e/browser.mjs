// Shared by the browser scripts: Debian's Chromium with a fresh
// profile, optionally a fake camera that plays a Y4M file, and a record of
// console errors, page errors and the requests the pages make.

import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** env('NAME') reads a required setting. */
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${path.basename(process.argv[1])}: ${name} is not set`);
  return v;
}

/**
 * launch({camera, viewport, locale, isMobile, consoleErrors}) -> {context, problems, requests, close()}
 * camera: a .y4m file for --use-file-for-fake-video-capture.
 * consoleErrors: false for pages that log errors on purpose (answers of 4xx
 * the test asks for); page errors count as problems always.
 */
export async function launch({ camera = '', viewport = { width: 1280, height: 900 }, locale = 'en-US', isMobile = false, consoleErrors = true } = {}) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'licet-chromium-'));
  const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
  if (camera) args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${camera}`);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.LICET_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args,
    acceptDownloads: true,
    locale,
    viewport,
    isMobile,
    hasTouch: true,
  });
  context.setDefaultTimeout(30_000);
  const problems = [];
  const requests = [];
  const watch = (page) => {
    if (consoleErrors) page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    problems,
    requests,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Screenshots of every open page into dir, after a failure. */
export async function failureShots(context, dir, prefix) {
  let n = 0;
  for (const p of context.pages()) {
    n++;
    await p.screenshot({ path: path.join(dir, `${prefix}-failure-${n}.png`), fullPage: true }).catch(() => {});
  }
}
