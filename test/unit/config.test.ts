// The typed configuration: defaults, coercion, and one readable error for bad settings.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.TFJS_BACKEND).toBe('auto');
    expect(c.ONNX_EXECUTION_PROVIDERS).toEqual(['cpu']);
    expect(c.WORKING_MAX_EDGE).toBe(2048);
    expect(c.NETWORKS_DIR.endsWith('models')).toBe(true);
  });

  it('coerces numbers, lists and booleans', () => {
    const c = loadConfig({ WORKING_MAX_EDGE: '1024', ONNX_EXECUTION_PROVIDERS: 'cuda, cpu', NETWORKS_VERIFY: 'false' });
    expect(c.WORKING_MAX_EDGE).toBe(1024);
    expect(c.ONNX_EXECUTION_PROVIDERS).toEqual(['cuda', 'cpu']);
    expect(c.NETWORKS_VERIFY).toBe(false);
  });

  it('lists every bad setting by name', () => {
    expect(() => loadConfig({ TFJS_BACKEND: 'gpu', WORKING_MAX_EDGE: '10' })).toThrow(/TFJS_BACKEND[\s\S]*WORKING_MAX_EDGE|WORKING_MAX_EDGE[\s\S]*TFJS_BACKEND/);
  });
});

describe('README configuration table', () => {
  it('documents every setting the config reads, with its doc comment', async () => {
    const { readFile } = await import('node:fs/promises');
    const { configSchema } = await import('../../src/config.js');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const source = await readFile(new URL('../../src/config.ts', import.meta.url), 'utf8');
    const lines = source.split('\n');
    for (const key of Object.keys(configSchema.shape)) {
      expect(readme, `README lacks ${key}`).toContain(`| \`${key}\` |`);
      const at = lines.findIndex((l) => l.startsWith(`  ${key}:`));
      expect(lines[at - 1]?.trim().startsWith('/**'), `${key} has no doc comment in src/config.ts`).toBe(true);
    }
  });
});
