/**
 * CPU time by kind of process, read from /proc (Linux), so a benchmark can say where a run's
 * CPU went: this process, the processes it started (workers, the direct mode's process), git
 * (started by their spawn servers), the Kafka brokers and PostgreSQL.
 * Processes that end during the run are missed (their time is gone from /proc), except children
 * this process waited for, which count in its cutime/cstime.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type CpuKind =
  | 'bench process'
  | 'workers'
  | 'direct process'
  | 'git (spawn servers)'
  | 'kafka brokers'
  | 'postgresql'
  | 'other'
  /** Every process and the kernel (network stack, git daemon, …), from /proc/stat. */
  | 'whole machine';

const TICKS_PER_SECOND = 100;

function classify(pid: number, command: string, started: ReadonlyMap<number, CpuKind>): CpuKind | undefined {
  if (pid === process.pid) return 'bench process';
  const kind = started.get(pid);
  if (kind !== undefined) return kind;
  // git runs under each process's spawn server; the server's cutime holds git's CPU.
  if (command.includes('spawn-server.mjs')) return 'git (spawn servers)';
  if (command.includes('kafka.Kafka') || command.includes('kafka.server')) return 'kafka brokers';
  // Backends are titled `postgres: …`; the postmaster (`…/bin/postgres -D …`) waits for each
  // backend that exits, so its cutime keeps the CPU of connections closed during the run.
  if (command.startsWith('postgres') || /^\S*\/postgres\s/.test(command)) return 'postgresql';
  return undefined;
}

/** Busy CPU seconds of all CPUs since boot: everything but idle and iowait. */
function machineBusySeconds(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (fields[i] ?? 0), 0);
  return busy / TICKS_PER_SECOND;
}

/**
 * CPU seconds per kind now, `started` naming the kind of processes this one started; subtract
 * two snapshots for a run. Empty where /proc is missing.
 */
export function cpuSnapshot(started: ReadonlyMap<number, CpuKind> = new Map()): Map<CpuKind, number> {
  const totals = new Map<CpuKind, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
    totals.set('whole machine', machineBusySeconds());
  } catch {
    return totals;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const kind = classify(pid, command, started);
      if (kind === undefined) continue;
      // Fields after the parenthesised name: utime is the 14th field, stime the 15th, and
      // cutime/cstime (waited-for children: git, for instance) the 16th and 17th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
      totals.set(kind, (totals.get(kind) ?? 0) + ticks / TICKS_PER_SECOND);
    } catch {
      // the process ended while we read it
    }
  }
  return totals;
}

/** CPU seconds per kind spent between two snapshots. */
export function cpuDelta(before: Map<CpuKind, number>, after: Map<CpuKind, number>): Map<CpuKind, number> {
  return new Map([...after].map(([kind, seconds]) => [kind, seconds - (before.get(kind) ?? 0)]));
}

/** Adds `more` into `total` (CPU of several rounds). */
export function addCpu(total: Map<CpuKind, number>, more: Map<CpuKind, number>): void {
  for (const [kind, seconds] of more) total.set(kind, (total.get(kind) ?? 0) + seconds);
}

/** As "12.3 s on the whole machine: kind 1.2 s, …", parts largest first. */
export function formatCpu(seconds: Map<CpuKind, number>): string {
  const parts = [...seconds].filter(([kind, s]) => kind !== 'whole machine' && s >= 0.05).sort((a, b) => b[1] - a[1]);
  const machine = seconds.get('whole machine');
  if (machine === undefined) return 'not measured (no /proc)';
  return `${machine.toFixed(1)} s on the whole machine: ${parts.map(([kind, s]) => `${kind} ${s.toFixed(1)} s`).join(', ')}`;
}
