// Garment analysis refuses what is not a garment photo, and honours the caller's category.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/pipeline/errors.js';
import { analyzeGarment } from '../../src/pipeline/garment/analyze.js';

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).code;
  }
}

describe('garment input', () => {
  it('refuses a blank photo with no-garment', async () => {
    const blank = await sharp({ create: { width: 768, height: 1024, channels: 3, background: '#f4f4f4' } }).jpeg().toBuffer();
    expect(await codeOf(analyzeGarment(blank))).toBe('no-garment');
  });

  it('refuses a softly lit empty backdrop (a gradient, no object) with no-garment', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fafafa"/><stop offset="1" stop-color="#d8d8d8"/></linearGradient></defs><rect width="600" height="800" fill="url(#g)"/></svg>`;
    const bytes = await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
    expect(await codeOf(analyzeGarment(bytes))).toBe('no-garment');
  });

  it('refuses a fully transparent PNG with no-garment', async () => {
    const png = await sharp({ create: { width: 300, height: 400, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect(await codeOf(analyzeGarment(png))).toBe('no-garment');
  });

  it('refuses bytes that are not an image', async () => {
    expect(await codeOf(analyzeGarment(new TextEncoder().encode('not an image at all')))).toBe('unreadable-image');
  });

  it('takes the category the caller gives', async () => {
    const a = await analyzeGarment(readFileSync('samples/garments/dress.jpg'), { category: 'top' });
    expect(a.category).toBe('top');
    expect(a.category_source).toBe('given');
    expect(Object.keys(a.landmarks)).toContain('sleeve_left_outer');
    expect(Object.keys(a.timings_ms)).toEqual(expect.arrayContaining(['decode', 'cutout', 'category', 'landmarks', 'parts', 'collar', 'total']));
  });
});
