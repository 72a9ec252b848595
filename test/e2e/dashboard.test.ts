// The designer dashboard in a real browser (Debian chromium via playwright-core) against the real all-in-one:
// sign in, upload a garment and three models, run a batch, compare, download, adjust (slider and landmark), admin.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startAllInOne, type AllInOne } from '../../src/queue/all-in-one.js';

declare global {
  interface Window { __tryonAdjust?: { ms: number; version: number }[] }
}

const ROOT = resolve(import.meta.dirname, '../..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const GARMENT = join(ROOT, 'samples/garments/tee-print.jpg');
const MODELS = ['cgi-model-4.jpg', 'cgi-model-9.jpg', 'cgi-model-13.jpg'].map((f) => join(ROOT, 'samples/models', f));
// Committed screenshots are rewritten only on request (UPDATE_SCREENSHOTS=1); otherwise they go to a temp folder.
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : mkdtempSync(join(tmpdir(), 'tryon-shots-'));
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');

/** Builds the dashboard when dist is missing or older than its sources (.ci/run builds it beforehand). */
function ensureBuilt(): void {
  const index = join(ROOT, 'dist/dashboard/index.html');
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, 'src/dashboard'))) return;
  execFileSync('npx', ['vite', 'build', '--config', 'src/dashboard/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

async function shot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ type: 'png' });
  // A palette PNG keeps a UI screenshot sharp at a fraction of the size.
  await sharp(png).png({ palette: true, quality: 90, compressionLevel: 9, effort: 8 }).toFile(join(SHOTS, `${name}.png`));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

describe('designer dashboard in chromium', () => {
  let app: AllInOne;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let apiKey: string;

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'tryon-dash-'));
    app = await startAllInOne(
      {
        REDIS_URL,
        QUEUE_PREFIX: `{dash${randomBytes(4).toString('hex')}}`,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        WORKER_CONCURRENCY: '2',
        WORKING_MAX_EDGE: '768',
        LOG_LEVEL: 'warn',
        URL_SIGNING_SECRET: 'dashboard-test-secret-dashboard-test',
      },
      log,
    );
    const tenant = await app.repos.tenants.createTenant('Dashboard test studio');
    apiKey = (await app.repos.tenants.createApiKey(tenant.id, ['admin', 'read', 'write'])).plain;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (err) => log.error({ err }, 'page error'));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    const prefix = app?.cfg.QUEUE_PREFIX;
    await app?.close();
    if (prefix) {
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`${prefix}:*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the built dashboard at / (index no-cache, hashed assets immutable)', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const js = await fetch(`${app.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
  });

  it('signs in, uploads, runs a batch on three models, compares, downloads, adjusts live and shows the queues', async () => {
    // 1. Sign in: a wrong key is refused, the right one is kept in sessionStorage and never in the URL.
    await page.goto(app.url);
    await page.getByLabel('API key').fill('tk_live_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await shot(page, '1-sign-in');
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Garments' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('tryon.apiKey'))).toBe(apiKey);
    expect(page.url()).not.toContain(apiKey);

    // 2. Garment upload (the drop zone's file input) → analysed → landmarks drawn over the cut-out.
    await page.getByLabel('Category').selectOption('top');
    await page.locator('[data-testid=garment-drop] input[type=file]').setInputFiles(GARMENT);
    await page.locator('[data-testid=garment-tile][data-status=ready]').first().waitFor({ timeout: 120_000 });
    await page.locator('aside svg.overlay circle.lm').first().waitFor();
    expect(await page.locator('aside svg.overlay circle.lm').count()).toBeGreaterThanOrEqual(4);
    await shot(page, '2-garments');

    // 3. Three models uploaded with a tag; each gets its suitability verdict.
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByLabel('Tags for new uploads').fill('pose:frontal, studio:e2e');
    await page.locator('[data-testid=model-drop] input[type=file]').setInputFiles(MODELS);
    await expect.poll(() => page.locator('[data-testid=model-card][data-status=ready]').count(), { timeout: 180_000, interval: 500 }).toBe(3);
    await expect.poll(() => page.locator('.verdict strong').count()).toBe(3);
    await shot(page, '3-models');

    // 4. Try-on: the garment on all three models; renders fill in live over SSE.
    await page.getByRole('link', { name: 'Try-on' }).click();
    await page.getByRole('button', { name: 'Select all' }).click();
    await page.getByRole('button', { name: 'Start try-on' }).click();
    await page.locator('[data-testid=render-card]').first().waitFor();
    expect(await page.locator('[data-testid=render-card]').count()).toBe(3);
    await expect.poll(() => page.locator('[data-testid=render-card][data-status=succeeded]').count(), { timeout: 180_000, interval: 250 }).toBe(3);
    await page.getByTestId('batch-status').getByText('Completed').waitFor();
    await page.locator('[data-testid=render-card] details.quality').first().locator('summary').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=render-card] img')].every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    await shot(page, '4-try-on');

    // 5. Compare: before/after, single JPEG and the batch as a zip.
    await page.getByRole('link', { name: 'Compare results' }).click();
    await page.getByTestId('ba-after').waitFor();
    await page.getByLabel('Before / after split').fill('35');
    await page.evaluate(() => scrollTo(0, 0));
    await page.waitForFunction(() => [...document.querySelectorAll('main img')].every((i) => (i as HTMLImageElement).complete));
    await shot(page, '5-compare');
    const [one] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-one').click()]);
    const jpeg = readFileSync((await one.path())!);
    expect(one.suggestedFilename()).toMatch(/\.jpg$/);
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
    const zipBytes = readFileSync((await zip.path())!);
    expect(zipBytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    // Three stored entries in the central directory (end record: entry count at offset 10).
    expect(zipBytes.readUInt16LE(zipBytes.length - 22 + 10)).toBe(3);
    await page.getByLabel('100% zoom').check();
    const natural = await page.locator('.zoom img').evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      return { natural: img.naturalWidth, shown: img.getBoundingClientRect().width };
    });
    expect(natural.shown).toBe(natural.natural);

    // 6. Adjust: each slider release re-renders; the new version's image replaces the old one.
    await page.getByRole('button', { name: 'Adjust' }).click();
    const result = page.getByTestId('adjust-result');
    await result.waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-testid=adjust-result]') as HTMLImageElement | null)?.complete === true);
    const imageBytes = async () => Buffer.from(await result.evaluate(async (img: HTMLImageElement) => [...new Uint8Array(await (await fetch(img.src)).arrayBuffer())]));
    const waitVersion = async (v: number) => {
      await page.waitForFunction((want) => {
        const img = document.querySelector('[data-testid=adjust-result]') as HTMLImageElement | null;
        return !!img && Number(img.dataset.version) >= want && img.complete && (window.__tryonAdjust?.some((t) => t.version >= want) ?? false);
      }, v, { timeout: 60_000 });
    };
    let version = Number(await result.getAttribute('data-version'));
    const before = { src: await result.getAttribute('src'), bytes: await imageBytes() };
    const slider = page.getByTestId('opt-scale');
    const box = (await slider.boundingBox())!;
    // Release the scale slider at different places (mouse up = change event), one re-render each.
    for (const at of [0.2, 0.45, 0.3, 0.5, 0.35, 0.4]) {
      await page.mouse.click(box.x + box.width * at, box.y + box.height / 2);
      await waitVersion(++version);
    }
    const afterSlider = { src: await result.getAttribute('src'), bytes: await imageBytes() };
    expect(afterSlider.src).not.toBe(before.src);
    expect(afterSlider.bytes.equals(before.bytes)).toBe(false);
    await shot(page, '6-adjust');

    // Drag a garment landmark: another version, different pixels.
    const handle = page.locator('[data-testid^=landmark-]').first();
    const hb = (await handle.boundingBox())!;
    await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
    await page.mouse.down();
    await page.mouse.move(hb.x + hb.width / 2 - 25, hb.y + hb.height / 2 - 20, { steps: 5 });
    await page.mouse.up();
    await waitVersion(++version);
    const afterDrag = { src: await result.getAttribute('src'), bytes: await imageBytes() };
    expect(afterDrag.src).not.toBe(afterSlider.src);
    expect(afterDrag.bytes.equals(afterSlider.bytes)).toBe(false);
    expect(await handle.getAttribute('class')).toContain('moved');

    // Undo re-renders with the options before the drag.
    await page.getByTestId('undo').click();
    await waitVersion(++version);
    expect(await handle.getAttribute('class')).not.toContain('moved');

    const timings = await page.evaluate(() => window.__tryonAdjust ?? []);
    const sliderMs = timings.slice(0, 6).map((t) => t.ms);
    const p50 = median(sliderMs);
    process.stdout.write(`${JSON.stringify({ metric: 'dashboard_adjust_release_to_image_ms', p50, samples: sliderMs, landmark_ms: timings[6]?.ms, undo_ms: timings[7]?.ms })}\n`);
    // Its speed is reported (target ≤ 800 ms on an idle machine), not asserted: the test runs beside
    // the rest of the suite on two shared cores. Every release did produce a timing.
    expect(sliderMs).toHaveLength(6);
    expect(sliderMs.every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);

    // 7. Admin: queue counts (the renders above completed) and the delivery log.
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByTestId('queue-table').waitFor();
    const renderRow = page.locator('[data-testid=queue-table] tbody tr', { hasText: 'render' }).first();
    const completed = Number(await renderRow.locator('td').nth(5).textContent());
    expect(completed).toBeGreaterThanOrEqual(3);
    await shot(page, '7-admin');
  }, 600_000);
});
