/**
 * Scratch folders for the benchmarks, all under one root (the disk being
 * measured: $BENCH_TMPDIR, else the OS temp folder). Every folder is
 * registered, so `removeAll()` (called by main.ts on exit and on signals)
 * leaves nothing behind even when a case fails half-way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export class TempDirs {
  readonly root: string;
  private readonly live = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  create(prefix: string): string {
    const dir = mkdtempSync(join(this.root, `orbitmq-bench-${prefix}-`));
    this.live.add(dir);
    return dir;
  }

  remove(dir: string): void {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    this.live.delete(dir);
  }

  /** Synchronous, so it can run from an 'exit' handler. Never throws. */
  removeAll(): void {
    for (const dir of [...this.live]) {
      try {
        this.remove(dir);
      } catch {
        // best effort: the next dir may still go
      }
    }
  }

  /** Runs `fn` with a fresh folder that is removed afterwards, whatever happens. */
  async with<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = this.create(prefix);
    try {
      return await fn(dir);
    } finally {
      this.remove(dir);
    }
  }
}
