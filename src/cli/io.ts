// Small helpers the CLI commands share: reading inputs, writing outputs, progress on stderr.
import { mkdir, readFile, stat, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const IMAGE_EXT = /\.(jpe?g|png|webp|avif|tiff?)$/i;

export class CliError extends Error {
  override readonly name = 'CliError';
}

export async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${file}: no such file`);
    if (code === 'EISDIR') throw new CliError(`${file}: is a folder, expected an image file`);
    throw new CliError(`${file}: cannot be read (${code ?? (e as Error).message})`);
  }
}

/** Expands folders into the image files they hold (sorted); keeps files as given. */
export async function expandImages(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of inputs) {
    const s = await stat(p).catch(() => null);
    if (!s) throw new CliError(`${p}: no such file or folder`);
    if (s.isDirectory()) {
      const names = (await readdir(p)).filter((n) => IMAGE_EXT.test(n)).sort();
      out.push(...names.map((n) => path.join(p, n)));
    } else out.push(p);
  }
  return out;
}

export async function writeOutputs(dir: string, files: Record<string, Buffer | string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(Object.entries(files).map(([name, body]) => writeFile(path.join(dir, name), body)));
}

export function progress(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/**
 * JSON for an analysis: pixel buffers (objects with width/height/data) are replaced by a note
 * naming the PNG file written beside it, so the JSON stays readable.
 */
export function analysisJson(value: unknown, files: Record<string, string>): string {
  return JSON.stringify(
    value,
    (key, v) => {
      if (v && typeof v === 'object' && 'data' in v && 'width' in v && 'height' in v && ArrayBuffer.isView((v as { data: unknown }).data)) {
        const img = v as { width: number; height: number };
        return { width: img.width, height: img.height, file: files[key] ?? null };
      }
      if (typeof v === 'number' && !Number.isInteger(v)) return Math.round(v * 1000) / 1000;
      return v;
    },
    2,
  );
}
