// CPU time of the processes a phase uses (from /proc), and of the whole machine, so a run on a shared machine says how much CPU it really got.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks = 0;
function clockTicks(): number {
  if (!ticks) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** User + system CPU seconds of a process, all its threads included; null when it is gone (or not Linux). */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clockTicks();
  } catch {
    return null;
  }
}

/** Busy and total CPU seconds of the whole machine so far (all cores), from /proc/stat; null off Linux. */
export function machineCpuSeconds(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = v[3]! + (v[4] ?? 0);
    return { busy: (total - idle) / clockTicks(), total: total / clockTicks() };
  } catch {
    return null;
  }
}

/**
 * CPU seconds used between `start()` and the last `sample()`, per named process and for a changing set of
 * processes counted together (Postgres backends of one database: they come and go; one that appears later counts from zero).
 */
export class CpuMeter {
  private readonly first = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly groupFirst = new Map<number, number>();
  private readonly groupLast = new Map<number, number>();
  private machine0: { busy: number; total: number } | null = null;
  private machine1: { busy: number; total: number } | null = null;
  private driver0 = process.cpuUsage();
  private driver1 = this.driver0;
  private t0 = Date.now();
  private t1 = this.t0;
  private started = false;

  constructor(private readonly named: { name: string; pid: number }[]) {}

  sample(groupPids: number[] = []): void {
    for (const { name, pid } of this.named) {
      const s = processCpuSeconds(pid);
      if (s === null) continue;
      if (!this.first.has(name)) this.first.set(name, s);
      this.last.set(name, s);
    }
    for (const pid of groupPids) {
      const s = processCpuSeconds(pid);
      if (s === null) continue;
      if (!this.groupFirst.has(pid)) this.groupFirst.set(pid, this.started ? 0 : s);
      this.groupLast.set(pid, s);
    }
    const m = machineCpuSeconds();
    if (!this.started) {
      this.machine0 = m;
      this.driver0 = process.cpuUsage();
      this.t0 = Date.now();
      this.started = true;
    }
    this.machine1 = m;
    this.driver1 = process.cpuUsage();
    this.t1 = Date.now();
  }

  result() {
    const seconds = (this.t1 - this.t0) / 1000;
    const per: Record<string, number> = {};
    for (const [name, s] of this.last) per[name] = s - (this.first.get(name) ?? s);
    let group = 0;
    for (const [pid, s] of this.groupLast) group += s - (this.groupFirst.get(pid) ?? s);
    const driver = (this.driver1.user - this.driver0.user + this.driver1.system - this.driver0.system) / 1e6;
    const machine = this.machine0 && this.machine1 ? { busy: this.machine1.busy - this.machine0.busy, total: this.machine1.total - this.machine0.total } : null;
    return { seconds, per, group, driver, machine };
  }
}
