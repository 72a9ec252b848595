// Chooses and starts the tfjs backend once per process: tfjs-node when installed, else wasm.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from '../logger.js';

export type TfjsBackendChoice = 'auto' | 'node' | 'wasm' | 'cpu';

export interface TfjsRuntime {
  tf: typeof tf;
  /** The backend that runs: "tensorflow" (tfjs-node), "wasm" or "cpu". */
  backend: string;
  /** Why this backend was chosen, for the log and the bench report. */
  reason: string;
}

const require = createRequire(import.meta.url);
let started: Promise<TfjsRuntime> | null = null;
let startedWith: TfjsBackendChoice | null = null;

/** Starts tfjs once; later calls return the same runtime (a different choice is an error). */
export function startTfjs(choice: TfjsBackendChoice = 'auto', opts: { threads?: number; log?: Logger } = {}): Promise<TfjsRuntime> {
  if (started) {
    if (startedWith !== choice) {
      return Promise.reject(new Error(`tfjs already started with backend "${startedWith}"; cannot switch to "${choice}" in one process`));
    }
    return started;
  }
  startedWith = choice;
  started = start(choice, opts).then((rt) => {
    opts.log?.info({ backend: rt.backend, reason: rt.reason }, `tfjs backend: ${rt.backend}`);
    return rt;
  });
  started.catch(() => {
    started = null;
    startedWith = null;
  });
  return started;
}

/** Is the native tfjs-node package installed and loadable here? */
export async function tfjsNodeAvailable(): Promise<boolean> {
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    return false;
  }
  try {
    await import('@tensorflow/tfjs-node' as string);
    return true;
  } catch {
    return false;
  }
}

async function start(choice: TfjsBackendChoice, opts: { threads?: number }): Promise<TfjsRuntime> {
  if (choice === 'node' || choice === 'auto') {
    if (await tfjsNodeAvailable()) {
      await tf.setBackend('tensorflow');
      await tf.ready();
      return { tf, backend: tf.getBackend(), reason: 'tfjs-node is installed' };
    }
    if (choice === 'node') {
      throw new Error(
        'TFJS_BACKEND=node but @tensorflow/tfjs-node is not installed or cannot load (its install downloads libtensorflow). Install it, or set TFJS_BACKEND=auto to use the wasm backend.',
      );
    }
  }
  if (choice === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, backend: 'cpu', reason: 'TFJS_BACKEND=cpu' };
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(dir + path.sep);
  if (opts.threads && opts.threads > 0) wasm.setThreadsCount(opts.threads);
  await tf.setBackend('wasm');
  await tf.ready();
  return {
    tf,
    backend: 'wasm',
    reason: choice === 'auto' ? '@tensorflow/tfjs-node is not installed; using the wasm backend' : 'TFJS_BACKEND=wasm',
  };
}
