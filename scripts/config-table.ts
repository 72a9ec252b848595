// Prints the README's configuration table from src/config.ts: each setting, its default, its doc comment.
import { readFileSync } from 'node:fs';
import { configSchema, loadConfig } from '../src/config.js';

const source = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
const lines = source.split('\n');
const defaults = loadConfig({});
const rows = Object.keys(configSchema.shape).map((key) => {
  const at = lines.findIndex((l) => l.startsWith(`  ${key}:`));
  const above = lines[at - 1]?.trim() ?? '';
  const doc = above.startsWith('/**') ? above.replace(/^\/\*\*\s*/, '').replace(/\s*\*\/$/, '') : '';
  const v = (defaults as Record<string, unknown>)[key];
  const shown = key === 'NETWORKS_DIR' ? '`models/` of the project' : v === undefined ? '(unset)' : `\`${Array.isArray(v) ? v.join(',') : String(v)}\``;
  return `| \`${key}\` | ${shown} | ${doc.replace(/\|/g, '\\|')} |`;
});
process.stdout.write(['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n') + '\n');
