// Pure figures of the load test: fairness between tenants, counts in a time window, command-stat deltas, and the projection to many machines.

/** Jain's fairness index of per-tenant rates: 1 = all equal, 1/n = one tenant gets everything. */
export function jainIndex(rates: number[]): number {
  if (rates.length === 0) return NaN;
  if (rates.some((r) => !Number.isFinite(r) || r < 0)) throw new Error(`rates must be finite and ≥ 0, got ${rates.join(', ')}`);
  const sum = rates.reduce((a, b) => a + b, 0);
  const squares = rates.reduce((a, b) => a + b * b, 0);
  if (squares === 0) return NaN;
  return (sum * sum) / (rates.length * squares);
}

/** Largest rate over smallest (Infinity when a tenant got nothing while another got something). */
export function maxMinRatio(rates: number[]): number {
  if (rates.length === 0) return NaN;
  const max = Math.max(...rates);
  const min = Math.min(...rates);
  if (max === 0) return NaN;
  return min === 0 ? Infinity : max / min;
}

/** How many of the times (ms) fall in [from, to). */
export function countInWindow(times: number[], from: number, to: number): number {
  let n = 0;
  for (const t of times) if (t >= from && t < to) n++;
  return n;
}

/** Calls per command from the text of Redis `INFO commandstats` (`cmdstat_get:calls=3,usec=…`). */
export function parseCommandStats(info: string): Map<string, { calls: number; usec: number }> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (m) out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return out;
}

/** `field:value` pairs of any Redis INFO section as numbers (non-numeric values are left out). */
export function parseInfoNumbers(info: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0 || line.startsWith('#')) continue;
    const v = Number(line.slice(i + 1));
    if (line.slice(i + 1).trim() !== '' && Number.isFinite(v)) out[line.slice(0, i)] = v;
  }
  return out;
}

export interface CommandDelta {
  /** Every command Redis ran, those inside Lua scripts included (BullMQ's work is mostly scripts). */
  calls: number;
  /** Script invocations (evalsha, eval, fcall): what the clients sent as one round trip each. */
  scripts: number;
  /** Microseconds Redis spent in the commands (scripts count their inner commands' time too). */
  usec: number;
  /** The commands with the most calls, for the report. */
  top: Record<string, number>;
}

const SCRIPT_COMMANDS = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro']);

/**
 * after − before of two commandstats readings; `ignore` drops the reader's own commands (INFO).
 * Script time is the scripts' own usec (which includes their inner commands), so usec counts every command but those inside scripts once.
 */
export function commandDelta(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
  ignore: readonly string[] = ['info'],
  topN = 8,
): CommandDelta {
  let calls = 0;
  let scripts = 0;
  let usec = 0;
  const per: [string, number][] = [];
  for (const [cmd, a] of after) {
    if (ignore.includes(cmd)) continue;
    const b = before.get(cmd) ?? { calls: 0, usec: 0 };
    const dc = a.calls - b.calls;
    const du = a.usec - b.usec;
    if (dc < 0) throw new Error(`Redis command stats went backwards for ${cmd} (were they reset during the run?)`);
    if (dc === 0) continue;
    calls += dc;
    if (SCRIPT_COMMANDS.has(cmd)) scripts += dc;
    usec += du;
    per.push([cmd, dc]);
  }
  per.sort((x, y) => y[1] - x[1]);
  return { calls, scripts, usec, top: Object.fromEntries(per.slice(0, topN)) };
}

/** What one worker machine costs the shared services while busy, measured on this machine. */
export interface PerMachineLoad {
  rendersPerS: number;
  redisCommandsPerS: number;
  /** Fraction of one core Redis's main thread spent on this machine's traffic. */
  redisCpuCoreFraction: number;
  postgresTxPerS: number;
  /** Postgres connections this machine's processes held. */
  postgresConnections: number;
}

/** Assumed capacities of one instance of each shared service (stated in the report as assumptions). */
export interface Capacities {
  redisCommandsPerS: number;
  redisCpuCores: number;
  postgresTxPerS: number;
  postgresConnections: number;
}

export interface Projection {
  machines: number;
  renders_per_s: number;
  redis_commands_per_s: number;
  redis_cpu_cores: number;
  postgres_tx_per_s: number;
  postgres_connections: number;
  /** Machines at which each service reaches its assumed capacity (linear scaling assumed). */
  saturates_at_machines: { redis_commands: number; redis_cpu: number; postgres_tx: number; postgres_connections: number };
  /** The service that runs out first, and at how many machines. */
  first_limit: { what: string; machines: number };
  /** The same without the connection limit (a pooler such as PgBouncer in front of Postgres lifts it). */
  first_limit_with_pooler: { what: string; machines: number };
}

/** Linear scale-out: `machines` copies of the measured machine; each shared service saturates at capacity / per-machine use. */
export function project(per: PerMachineLoad, machines: number, cap: Capacities): Projection {
  if (!(machines > 0)) throw new Error('machines must be > 0');
  const at = (capacity: number, use: number) => (use > 0 ? Math.floor(capacity / use) : Infinity);
  const saturates = {
    redis_commands: at(cap.redisCommandsPerS, per.redisCommandsPerS),
    redis_cpu: at(cap.redisCpuCores, per.redisCpuCoreFraction),
    postgres_tx: at(cap.postgresTxPerS, per.postgresTxPerS),
    postgres_connections: at(cap.postgresConnections, per.postgresConnections),
  };
  const first = (entries: [string, number][]) => {
    const [what, n] = entries.reduce((m, e) => (e[1] < m[1] ? e : m));
    return { what, machines: n };
  };
  return {
    machines,
    renders_per_s: round(per.rendersPerS * machines, 1),
    redis_commands_per_s: Math.round(per.redisCommandsPerS * machines),
    redis_cpu_cores: round(per.redisCpuCoreFraction * machines, 2),
    postgres_tx_per_s: Math.round(per.postgresTxPerS * machines),
    postgres_connections: Math.round(per.postgresConnections * machines),
    saturates_at_machines: saturates,
    first_limit: first(Object.entries(saturates)),
    first_limit_with_pooler: first(Object.entries(saturates).filter(([k]) => k !== 'postgres_connections')),
  };
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
