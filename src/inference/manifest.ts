// The network manifest (models/networks.json): what each network is, where its files are, checksums.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';

const fileSchema = z.object({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Where `tryon networks pull` fetches this file; for a one-file network the entry's source_url will do. */
  url: z.string().url().optional(),
});

export const networkEntrySchema = z.object({
  name: z.string().min(1),
  purpose: z.string(),
  runtime: z.enum(['tfjs-graph', 'tfjs-layers', 'onnx']),
  /** npm package holding the files; absent when paths are relative to the manifest folder. */
  package: z.string().optional(),
  files: z.array(fileSchema).min(1),
  licence: z.string().min(1),
  input_size: z.tuple([z.number().int(), z.number().int()]).nullable(),
  /** Where `tryon networks pull` may fetch an optional network from; never used implicitly. */
  source_url: z.string().url().optional(),
  optional: z.boolean().optional(),
});
export type NetworkEntry = z.infer<typeof networkEntrySchema>;

export const manifestSchema = z.object({ networks: z.array(networkEntrySchema) });
export type Manifest = z.infer<typeof manifestSchema>;

export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.resolve(dir, 'networks.json');
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    throw new Error(`Network manifest not found at ${file}. Set NETWORKS_DIR to the folder holding networks.json.`);
  }
  return manifestSchema.parse(JSON.parse(raw));
}

const require = createRequire(import.meta.url);

/** Absolute path of one of a network's files. */
export function resolveNetworkFile(entry: NetworkEntry, file: string, manifestDir: string): string {
  if (!entry.package) return path.resolve(manifestDir, file);
  return path.join(packageDir(entry.package), file);
}

/** Folder of an installed npm package, also for packages whose "exports" hide package.json (@upscalerjs/*). */
function packageDir(pkg: string): string {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    for (const base of require.resolve.paths(pkg) ?? []) {
      if (existsSync(path.join(base, pkg, 'package.json'))) return path.join(base, pkg);
    }
    throw new Error(`npm package ${pkg} is not installed`);
  }
}

/** Are all of a network's files on disk? (Presence only; the sha256 is checked when the network loads.) */
export function networkPresent(entry: NetworkEntry, manifestDir: string): boolean {
  try {
    return entry.files.every((f) => existsSync(resolveNetworkFile(entry, f.path, manifestDir)));
  } catch {
    // require.resolve throws when the npm package holding the files is not installed.
    return false;
  }
}

/** Where `tryon networks pull` fetches one file from, or null when the manifest gives no source. */
export function fileSourceUrl(entry: NetworkEntry, file: NetworkEntry['files'][number]): string | null {
  if (file.url) return file.url;
  if (entry.source_url && entry.files.length === 1) return entry.source_url;
  return null;
}
