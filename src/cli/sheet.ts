// Contact sheets: rows of captioned image tiles in one PNG, for checking many results at a glance.
import sharp from 'sharp';

export interface SheetRow {
  caption: string;
  /** Encoded images (PNG/JPEG), shown left to right. */
  tiles: Buffer[];
}

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

export async function contactSheet(rows: SheetRow[], tileHeight = 320): Promise<Buffer> {
  const captionH = 24;
  const pad = 6;
  const rendered = await Promise.all(
    rows.map(async (r) =>
      Promise.all(
        r.tiles.map(async (t) => {
          const { data, info } = await sharp(t).resize({ height: tileHeight }).flatten({ background: '#ffffff' }).png().toBuffer({ resolveWithObject: true });
          return { data, width: info.width };
        }),
      ),
    ),
  );
  const width = Math.max(400, ...rendered.map((ts) => ts.reduce((s, t) => s + t.width + pad, pad)));
  const rowH = captionH + tileHeight + pad;
  const height = rows.length * rowH + pad;
  const layers: sharp.OverlayOptions[] = [];
  rendered.forEach((ts, ri) => {
    const top = pad + ri * rowH;
    const svg = `<svg width="${width}" height="${captionH}"><text x="${pad}" y="17" font-family="sans-serif" font-size="15" fill="#222">${esc(rows[ri]!.caption)}</text></svg>`;
    layers.push({ input: Buffer.from(svg), top, left: 0 });
    let left = pad;
    for (const t of ts) {
      layers.push({ input: t.data, top: top + captionH, left });
      left += t.width + pad;
    }
  });
  return sharp({ create: { width, height, channels: 3, background: '#eeeeee' } }).composite(layers).png().toBuffer();
}
