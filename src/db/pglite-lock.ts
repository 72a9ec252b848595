// One process per PGlite data folder: a second opener would corrupt it, so it is refused with advice.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

const held = new Set<string>();

/** Whether a process with this id exists (EPERM: it does, owned by another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<dataDir>.lock`; returns its release. A lock left by a dead process is taken over. */
export function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir}.lock`;
  if (held.has(path)) throw new PGliteInUseError(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return () => {
        held.delete(path);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      // Our own pid in a file we do not hold: left by an earlier life of this pid (a restarted container).
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) throw new PGliteInUseError(dataDir, pid);
      rmSync(path, { force: true });
    }
  }
  throw new PGliteInUseError(dataDir, Number.NaN);
}

export class PGliteInUseError extends Error {
  override readonly name = 'PGliteInUseError';
  constructor(dataDir: string, pid: number) {
    super(
      `the embedded database in ${dataDir} is already open${Number.isNaN(pid) ? '' : ` (process ${pid})`}; ` +
        'PGlite serves one process (all-in-one). Run separate api and worker processes against Postgres (set DATABASE_URL).',
    );
  }
}
