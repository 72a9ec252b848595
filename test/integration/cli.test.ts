// The `tryon` command as a user runs it: real files in, JSON and overlay images out, clear errors.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/tryon.js');

async function tryon(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tryon-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('tryon analyze-model', () => {
  it('writes the analysis JSON and overlays for a sample photo', async () => {
    const out = path.join(tmp, 'model');
    const r = await tryon('analyze-model', 'samples/models/ai-body.jpg', '--out', out);
    expect(r.stderr).toMatch(/tfjs backend: wasm/);
    expect(r.code).toBe(0);
    const a = JSON.parse(await readFile(path.join(out, 'analysis.json'), 'utf8'));
    expect(a.pose.keypoints.left_shoulder.score).toBeGreaterThan(0.5);
    expect(a.mask).toMatchObject({ width: a.width, height: a.height });
    const pngs = (await readdir(out)).filter((f) => f.endsWith('.png'));
    expect(pngs).toEqual(expect.arrayContaining(['pose.png', 'parsing.png']));
    const meta = await sharp(path.join(out, 'pose.png')).metadata();
    expect(meta.width).toBeGreaterThan(100);
  });

  it('explains unreadable files, tiny images, missing files and photos without a person', async () => {
    const text = path.join(tmp, 'notes.jpg');
    await writeFile(text, 'this is a text file named like a photo\n');
    const full = await readFile(path.join(ROOT, 'samples/models/ai-upper.jpg'));
    const truncated = path.join(tmp, 'truncated.jpg');
    await writeFile(truncated, full.subarray(0, Math.floor(full.length / 3)));
    const tiny = path.join(tmp, 'tiny.png');
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#888' } }).png().toFile(tiny);
    const empty = path.join(tmp, 'empty-room.jpg');
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#d8d2c4' } }).jpeg().toFile(empty);

    const cases: [string, RegExp][] = [
      [text, /not an image/i],
      [truncated, /truncated|corrupt/i],
      [tiny, /at least 64 pixels/i],
      [path.join(tmp, 'missing.jpg'), /no such file/i],
      [empty, /no person/i],
    ];
    for (const [file, message] of cases) {
      const r = await tryon('analyze-model', file, '--out', path.join(tmp, 'bad'));
      expect(r.code, file).toBe(2);
      expect(r.stderr, file).toMatch(message);
      expect(r.stderr, file).not.toMatch(/\n\s+at /); // a sentence, not a stack trace
    }
  });
});

describe('tryon analyze-garment', () => {
  it('writes the analysis JSON and overlays for a sample garment', async () => {
    const garments = (await readdir(path.join(ROOT, 'samples/garments'))).filter((f) => /\.(jpe?g|png)$/.test(f));
    expect(garments.length).toBeGreaterThanOrEqual(8);
    const out = path.join(tmp, 'garment');
    const r = await tryon('analyze-garment', path.join('samples/garments', garments[0]!), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(await readFile(path.join(out, 'analysis.json'), 'utf8'));
    expect(['top', 'bottom', 'dress']).toContain(a.category);
    expect(Object.keys(a.landmarks).length).toBeGreaterThanOrEqual(4);
    expect(a.cutout.confidence).toBeGreaterThan(0.5);
    expect(await readdir(out)).toEqual(expect.arrayContaining(['landmarks.png', 'cutout.png']));
  });

  it('refuses a bad category with the allowed values', async () => {
    const r = await tryon('analyze-garment', 'samples/models/ai-body.jpg', '--category', 'hat', '--out', path.join(tmp, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/top, bottom or dress/);
  });
});

describe('tryon render', () => {
  it('renders one garment on several models named after --models, with a quality JSON each and a contact sheet', async () => {
    const out = path.join(tmp, 'render');
    const sheet = path.join(tmp, 'render-sheet.png');
    const models = ['samples/models/ai-upper.jpg', 'samples/models/cgi-model-27.jpg'];
    const r = await tryon('render', '--garment', 'samples/garments/tee-print.jpg', '--models', ...models, '--out', out, '--sheet', sheet);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    for (const m of models) {
      const name = path.basename(m, '.jpg');
      const q = JSON.parse(await readFile(path.join(out, `${name}.quality.json`), 'utf8'));
      expect(q.model).toBe(m);
      expect(typeof q.quality.needs_review).toBe('boolean');
      expect(Array.isArray(q.quality.reasons)).toBe(true);
      // Same size as the photo, and the garment changed the torso: mean difference over the middle.
      const src = await sharp(path.join(ROOT, m)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const img = await sharp(path.join(out, `${name}.jpg`)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([img.info.width, img.info.height]).toEqual([src.info.width, src.info.height]);
      const { width: w, height: h } = src.info;
      let diff = 0, n = 0;
      for (let y = Math.round(0.35 * h); y < 0.6 * h; y += 2) for (let x = Math.round(0.4 * w); x < 0.6 * w; x += 2) {
        const o = (y * w + x) * 3;
        diff += Math.abs(src.data[o]! - img.data[o]!) + Math.abs(src.data[o + 1]! - img.data[o + 1]!) + Math.abs(src.data[o + 2]! - img.data[o + 2]!);
        n++;
      }
      expect(diff / n, name).toBeGreaterThan(12);
    }
    const meta = await sharp(sheet).metadata();
    expect(meta.width).toBeGreaterThan(300);
  });
});
