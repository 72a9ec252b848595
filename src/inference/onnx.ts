// ONNX network sessions on onnxruntime-node, with execution providers from config (cpu, or cuda then cpu).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { Logger } from '../logger.js';

export type OrtModule = typeof Ort;
export type OnnxProvider = 'cpu' | 'cuda';

/** A loaded ONNX network: the runtime session plus what it runs on. */
export interface OnnxSession {
  session: Ort.InferenceSession;
  /** Execution providers the session was created with, in order of preference. */
  providers: readonly OnnxProvider[];
  /** Where the network came from (a file path, or "bytes"), for errors and logs. */
  source: string;
}

export interface OnnxSessionOptions {
  providers?: readonly OnnxProvider[];
  /** Threads for one operator on the CPU provider (0 = onnxruntime's default). */
  intraOpThreads?: number;
  log?: Logger;
}

const require = createRequire(import.meta.url);
let ortModule: Promise<OrtModule> | null = null;

/** The onnxruntime-node module, loaded on first use so processes without ONNX networks never load its native binding. */
export function loadOrt(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node').then((m) => (m.default ?? m) as unknown as OrtModule);
  return ortModule;
}

export class OnnxProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnnxProviderError';
  }
}

const CUDA_HELP =
  'CUDA needs three things: the CUDA provider binaries of onnxruntime-node (reinstall it with the npm setting ' +
  'onnxruntime-node-install=cuda12, e.g. `npm ci --onnxruntime-node-install=cuda12`, on a machine with internet access), ' +
  'the CUDA 12 runtime with cuDNN 9, and an NVIDIA driver with a GPU. To run on the CPU instead, set ONNX_EXECUTION_PROVIDERS=cpu.';

/** Folder of onnxruntime-node's native libraries for this platform; the CUDA provider library must sit there. */
function ortBinDir(): string {
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

export interface ProviderStatus {
  provider: OnnxProvider;
  available: boolean;
  /** Why it is not available, for a person to read; empty when it is. */
  reason: string;
}

/**
 * What this machine can offer for one provider, without creating a session. For CUDA this is
 * necessary but not sufficient: the driver and CUDA runtime are only found when a session is created.
 */
export async function providerStatus(provider: OnnxProvider): Promise<ProviderStatus> {
  if (provider === 'cpu') return { provider, available: true, reason: '' };
  const ort = await loadOrt();
  const built = ort.listSupportedBackends().some((b) => b.name === 'cuda');
  if (!built) {
    return { provider, available: false, reason: `this onnxruntime-node build (${process.platform}/${process.arch}) has no CUDA provider. ${CUDA_HELP}` };
  }
  const lib = path.join(ortBinDir(), 'libonnxruntime_providers_cuda.so');
  if (!existsSync(lib)) {
    return { provider, available: false, reason: `the CUDA provider library ${lib} is not installed (onnxruntime-node was installed with onnxruntime-node-install=skip). ${CUDA_HELP}` };
  }
  return { provider, available: true, reason: '' };
}

/**
 * Creates an inference session on the configured providers. When CUDA is asked for and cannot
 * run, this throws rather than silently falling back: a GPU worker that quietly runs on the CPU is
 * a capacity problem nobody sees.
 */
export async function createOnnxSession(model: string | Uint8Array, opts: OnnxSessionOptions = {}): Promise<OnnxSession> {
  const providers = opts.providers && opts.providers.length > 0 ? [...opts.providers] : (['cpu'] as OnnxProvider[]);
  const source = typeof model === 'string' ? model : 'bytes';
  const ort = await loadOrt();
  if (providers.includes('cuda')) {
    const status = await providerStatus('cuda');
    if (!status.available) {
      throw new OnnxProviderError(`ONNX_EXECUTION_PROVIDERS asks for cuda, but ${status.reason}`);
    }
  }
  const options: Ort.InferenceSession.SessionOptions = {
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    ...(opts.intraOpThreads ? { intraOpNumThreads: opts.intraOpThreads } : {}),
  };
  const t0 = performance.now();
  let session: Ort.InferenceSession;
  try {
    session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (providers.includes('cuda') && /cuda|shared library|provider/i.test(msg)) {
      throw new OnnxProviderError(`onnxruntime could not start the CUDA provider (${msg}). ${CUDA_HELP}`, { cause: err });
    }
    throw new Error(`onnxruntime could not load the network from ${source}: ${msg}`, { cause: err });
  }
  opts.log?.debug({ source, providers, ms: Math.round(performance.now() - t0) }, 'onnx session created');
  return { session, providers, source };
}
