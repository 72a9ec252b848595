// Decoding uploads: type by content, limits, orientation, clear errors for bad files.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/pipeline/errors.js';
import { decodeImage, DEFAULT_LIMITS } from '../../src/pipeline/image.js';

async function jpeg(w: number, h: number, opts: { orientation?: number } = {}): Promise<Buffer> {
  // Left half red, right half blue, so orientation is visible in the pixels.
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      if (x < w / 2) raw[i] = 220;
      else raw[i + 2] = 220;
    }
  let s = sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95 });
  if (opts.orientation) s = s.withMetadata({ orientation: opts.orientation });
  return s.toBuffer();
}

/** A PNG signature and IHDR chunk claiming the given size, followed by an empty image. */
function pngHeaderOnly(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb));
    return Buffer.concat([len, tb, crc]);
  };
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(w + 1))), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message.length).toBeGreaterThan(20);
    return (e as InputError).code;
  }
  throw new Error('expected an InputError');
}

describe('decodeImage', () => {
  it('decodes a JPEG to RGBA at its size', async () => {
    const d = await decodeImage(await jpeg(200, 100));
    expect([d.image.width, d.image.height]).toEqual([200, 100]);
    expect(d.image.data.length).toBe(200 * 100 * 4);
    expect(d.hasAlpha).toBe(false);
    expect(d.image.data[0]).toBeGreaterThan(180); // red at the left
  });

  it('applies EXIF orientation (6 = rotate 90° clockwise)', async () => {
    const d = await decodeImage(await jpeg(200, 100, { orientation: 6 }));
    expect([d.image.width, d.image.height]).toEqual([100, 200]);
    // After rotating clockwise the red (left) half is on top.
    const top = d.image.data[(10 * 100 + 50) * 4]!;
    const bottom = d.image.data[(190 * 100 + 50) * 4]!;
    expect(top).toBeGreaterThan(180);
    expect(bottom).toBeLessThan(60);
  });

  it('caps the long edge at maxEdge', async () => {
    const d = await decodeImage(await jpeg(1600, 800), { ...DEFAULT_LIMITS, maxEdge: 400 });
    expect([d.image.width, d.image.height]).toEqual([400, 200]);
    expect([d.originalWidth, d.originalHeight]).toEqual([1600, 800]);
  });

  it('keeps a real alpha channel and ignores an opaque one', async () => {
    const rgba = Buffer.alloc(100 * 100 * 4, 255);
    for (let i = 3; i < rgba.length; i += 8) rgba[i] = 0;
    const png = await sharp(rgba, { raw: { width: 100, height: 100, channels: 4 } }).png().toBuffer();
    expect((await decodeImage(png)).hasAlpha).toBe(true);
    const opaque = await sharp(Buffer.alloc(100 * 100 * 4, 255), { raw: { width: 100, height: 100, channels: 4 } }).png().toBuffer();
    expect((await decodeImage(opaque)).hasAlpha).toBe(false);
  });

  it('refuses a text file, a PDF named .jpg, a truncated JPEG, a 1×1 image and a pixel bomb', async () => {
    expect(await codeOf(decodeImage(Buffer.from('hello, this is not an image\n')))).toBe('unreadable-image');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    expect(['unreadable-image', 'unsupported-type']).toContain(await codeOf(decodeImage(pdf)));
    const full = await jpeg(400, 300);
    expect(await codeOf(decodeImage(full.subarray(0, Math.floor(full.length / 2))))).toBe('unreadable-image');
    const tiny = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    expect(await codeOf(decodeImage(tiny))).toBe('image-too-small');
    // A tiny file whose header claims 20000×10000 pixels (200 megapixels): refused before decoding.
    expect(await codeOf(decodeImage(pngHeaderOnly(20000, 10000)))).toBe('too-many-pixels');
  });
});
