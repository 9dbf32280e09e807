// The docs page in a real browser: Debian's chromium, headless, driven by
// playwright-core. The page is built fresh into a temp dir and opened from
// file://; any request that is not file:, data: or blob: is aborted and
// fails the test, as does any console error. One browser serves all cases.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDocs } from '../scripts/steps/docs.ts';
import { bundle, operations } from './helpers/spec.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Outside the repository, so a person can look at it and git never sees it. */
export const SCREENSHOT = path.join(os.tmpdir(), 'synapse-admin-docs.png');
const LOCAL = /^(file|data|blob|about):/;
/** The origin of the test's own static server, once the static-host case runs. */
let staticOrigin = 'none';
const isLocal = (url: string) => LOCAL.test(url) || url.startsWith(`${staticOrigin}/`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'docs-browser-'));
const pageFile = path.join(tmp, 'site', 'index.html');
const pageUrl = pathToFileURL(pageFile).href;
const summaries = operations.map(({ op }) => op.summary as string);
const tags: string[] = bundle.tags.map((t: { name: string }) => t.name);

let context: BrowserContext | undefined;
let page: Page;
const leaving: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  expect(statSync(CHROMIUM, { throwIfNoEntry: false }), `${CHROMIUM} is missing: apt-get install chromium (see .ci/run)`).toBeTruthy();
  await buildDocs(pageFile);
  // A persistent context gets its own fresh --user-data-dir.
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
    offline: false,
  });
  // Nothing may leave the file: record and abort whatever tries.
  await context.route(
    (url) => !isLocal(url.href),
    (route) => {
      leaving.push(route.request().url());
      return route.abort();
    },
  );
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('request', (r) => {
    if (!isLocal(r.url()) && !leaving.includes(r.url())) leaving.push(r.url());
  });
  page.on('websocket', (ws) => leaving.push(ws.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
});

afterEach(() => {
  expect(leaving, 'requests that left the file').toEqual([]);
  expect(consoleErrors, 'console errors').toEqual([]);
});

afterAll(async () => {
  await context?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Visible within the default timeout, or the test fails saying what was missing. */
const visible = (locator: ReturnType<Page['locator']>) => locator.waitFor({ state: 'visible' });

/** Waits until the operation's heading is scrolled into the window (sections render lazily as the page scrolls). */
const sectionShown = (summary: string) =>
  page.waitForFunction((title) => {
    const h = [...document.querySelectorAll('h2')].find((e) => e.textContent?.trim() === title);
    const r = h?.getBoundingClientRect();
    return r !== undefined && r.top >= 0 && r.bottom <= window.innerHeight;
  }, summary);

/** Opens the page afresh and waits until React has hydrated the prerendered HTML (its props sit on the search trigger); before that, clicks would follow the static links. */
async function open(url = pageUrl): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="search-trigger"]');
    return el !== null && Object.keys(el).some((k) => k.startsWith('__reactProps'));
  });
}

const menu = () => page.locator('[data-component-name="Menu/Menu"]').first();
const menuItem = (text: string) => menu().locator('[data-testid="menu-item-label"]').getByText(text, { exact: true });

describe('docs page in chromium', () => {
  it('loads from file:// and hydrates, with no console error and no request leaving the file', async () => {
    await open();
    await expect(page.title()).resolves.toBe(bundle.info.title);
    await expect(page.locator('h1').first().innerText()).resolves.toContain(bundle.info.title);
    expect(page.url()).toBe(pageUrl);
  });

  it("lists every operation's summary in the navigation", async () => {
    // The menu renders only the entries near its visible part, so each tag's
    // operations are checked right after opening that tag.
    const seen: string[] = [];
    for (const tag of tags) {
      await menuItem(tag).click();
      for (const { op } of operations.filter(({ op }) => op.tags?.[0] === tag)) {
        await visible(menuItem(op.summary));
        seen.push(op.summary);
      }
    }
    expect(seen.sort()).toEqual([...summaries].sort());
  });

  it('clicking an operation shows its section with its samples', async () => {
    // The menu renders only the entries near its visible part: start afresh.
    await open();
    await menuItem('Moderation').click();
    await menuItem('Shadow-ban a user').click();
    await page.waitForURL(/#\/moderation\/shadowbanuser$/);
    await sectionShown('Shadow-ban a user');
    const curl = page.locator('pre', { hasText: 'curl -X POST' }).first();
    await curl.waitFor();
    await expect(curl.innerText()).resolves.toContain('/_synapse/admin/v1/users/%40alice%3Aexample.org/shadow_ban');
    // The other sample language is one choice away.
    await page.locator('[data-component-name="Dropdown/Dropdown"]', { hasText: 'curl' }).last().click();
    await page.locator('[data-component-name="Dropdown/DropdownMenuItem"]', { hasText: 'TypeScript' }).click();
    await expect(page.locator('pre', { hasText: 'createSynapseAdminClient' }).first().innerText()).resolves.toContain('client.shadowBanUser(');
  });

  it('shows the version notes on List accounts, on the operation and on its parameters', async () => {
    await open();
    await menuItem('Accounts').click();
    await menuItem('List accounts').click();
    await page.waitForURL(/#\/accounts\/listusers$/);
    await sectionShown('List accounts');
    await visible(page.locator('li', { hasText: 'Changed in Synapse 1.93.0:' }).first());
    // The `locked` query parameter carries its own note.
    const locked = page.getByText('Added in Synapse 1.93.0.').first();
    await locked.scrollIntoViewIfNeeded();
    await visible(locked);
    await page.locator('h2', { hasText: /^List accounts$/ }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await sectionShown('List accounts');
    await page.screenshot({ path: SCREENSHOT });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
    console.log(`docs screenshot: ${SCREENSHOT}`);
  });

  it('searching for "shadow" finds the shadow-ban operations', async () => {
    await page.getByText('Search', { exact: false }).first().click();
    await page.keyboard.type('shadow');
    const results = page.locator('[data-component-name="Search/SearchItem"]');
    await results.first().waitFor();
    const texts = await results.allInnerTexts();
    for (const s of ['Shadow-ban a user', 'Lift a shadow-ban']) {
      expect(texts.some((t) => t.includes(s)), `no search result for ${s}: ${texts.join(' | ')}`).toBe(true);
    }
    // Picking a result opens its section.
    await results.filter({ hasText: 'Lift a shadow-ban' }).first().click();
    await page.waitForURL(/#\/moderation\/unshadowbanuser$/);
    await sectionShown('Lift a shadow-ban');
  });

  it('works the same from a static web server, under a sub-path', async () => {
    const html = readFileSync(pageFile);
    const server = http.createServer((req, res) => {
      if (req.url === '/api/docs/' || req.url === '/api/docs/index.html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      staticOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await open(`${staticOrigin}/api/docs/`);
      await menuItem('Lookup').click();
      await menuItem('Check whether a username is free').click();
      await page.waitForURL(`${staticOrigin}/api/docs/#/lookup/checkusernameavailable`);
      await sectionShown('Check whether a username is free');
    } finally {
      await page.goto('about:blank');
      // Chromium keeps its connection alive; close it so close() returns at once.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
