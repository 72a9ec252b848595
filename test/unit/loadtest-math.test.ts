// The load test's figures: fairness, window counts, Redis command-stat deltas and the projection to many machines.
import { describe, expect, it } from 'vitest';
import { commandDelta, countInWindow, jainIndex, maxMinRatio, parseCommandStats, parseInfoNumbers, project } from '../../bench/loadtest/math.js';

describe('fairness between tenants', () => {
  it("Jain's index is 1 for equal rates, 1/n when one tenant gets everything, and in between otherwise", () => {
    expect(jainIndex([2, 2, 2, 2])).toBeCloseTo(1, 12);
    expect(jainIndex([3, 0, 0, 0])).toBeCloseTo(0.25, 12);
    // (1+2+3+4)² / (4 · (1+4+9+16)) = 100 / 120
    expect(jainIndex([1, 2, 3, 4])).toBeCloseTo(100 / 120, 12);
    expect(jainIndex([0, 0])).toBeNaN();
    expect(() => jainIndex([1, -1])).toThrow(/≥ 0/);
  });

  it('max/min ratio: 1 when equal, Infinity when a tenant got nothing', () => {
    expect(maxMinRatio([0.5, 0.5])).toBe(1);
    expect(maxMinRatio([0.2, 0.8, 0.4])).toBeCloseTo(4, 12);
    expect(maxMinRatio([1, 0])).toBe(Infinity);
    expect(maxMinRatio([0, 0])).toBeNaN();
  });

  it('counts times in a half-open window', () => {
    expect(countInWindow([99, 100, 150, 199, 200], 100, 200)).toBe(3);
  });
});

describe('Redis INFO parsing and deltas', () => {
  const before = parseCommandStats(
    '# Commandstats\r\ncmdstat_get:calls=10,usec=20,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\ncmdstat_info:calls=5,usec=100,usec_per_call=20.00\r\n',
  );
  const after = parseCommandStats(
    [
      'cmdstat_get:calls=14,usec=30,usec_per_call=2.14,rejected_calls=0,failed_calls=0',
      'cmdstat_info:calls=9,usec=200,usec_per_call=22.22',
      'cmdstat_evalsha:calls=3,usec=300,usec_per_call=100.00',
      'cmdstat_zadd:calls=6,usec=12,usec_per_call=2.00',
    ].join('\n'),
  );

  it('reads calls and usec per command', () => {
    expect(before.get('get')).toEqual({ calls: 10, usec: 20 });
    expect(after.get('evalsha')).toEqual({ calls: 3, usec: 300 });
  });

  it('sums the new calls, leaves out the reader’s INFO, counts script calls apart and ranks the top commands', () => {
    const d = commandDelta(before, after);
    expect(d).toEqual({ calls: 4 + 3 + 6, scripts: 3, usec: 10 + 300 + 12, top: { zadd: 6, get: 4, evalsha: 3 } });
  });

  it('refuses counters that went backwards (a CONFIG RESETSTAT during the run)', () => {
    expect(() => commandDelta(after, before)).toThrow(/went backwards for get/);
  });

  it('reads numeric INFO fields and skips the rest', () => {
    const n = parseInfoNumbers('# CPU\r\nused_cpu_sys:1.25\r\nused_cpu_user_main_thread:0.5\r\nrole:master\r\n');
    expect(n).toEqual({ used_cpu_sys: 1.25, used_cpu_user_main_thread: 0.5 });
  });
});

describe('projection to many machines', () => {
  const per = { rendersPerS: 4, redisCommandsPerS: 400, redisCpuCoreFraction: 0.01, postgresTxPerS: 60, postgresConnections: 12 };
  const cap = { redisCommandsPerS: 100_000, redisCpuCores: 1, postgresTxPerS: 5000, postgresConnections: 100 };

  it('scales the per-machine figures linearly', () => {
    const p = project(per, 100, cap);
    expect(p).toMatchObject({ machines: 100, renders_per_s: 400, redis_commands_per_s: 40_000, redis_cpu_cores: 1, postgres_tx_per_s: 6000, postgres_connections: 1200 });
  });

  it('finds where each service saturates and which comes first, with and without a connection pooler', () => {
    const p = project(per, 100, cap);
    expect(p.saturates_at_machines).toEqual({ redis_commands: 250, redis_cpu: 100, postgres_tx: 83, postgres_connections: 8 });
    expect(p.first_limit).toEqual({ what: 'postgres_connections', machines: 8 });
    expect(p.first_limit_with_pooler).toEqual({ what: 'postgres_tx', machines: 83 });
  });

  it('a service the machines do not use never saturates', () => {
    expect(project({ ...per, redisCommandsPerS: 0 }, 10, cap).saturates_at_machines.redis_commands).toBe(Infinity);
    expect(() => project(per, 0, cap)).toThrow(/machines/);
  });
});
