import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface AfterHook {
  after(fn: () => void | Promise<void>): void;
}

/** A fresh temp directory removed when the test (or suite) ends. */
export function tempDir(t: AfterHook, prefix = 'orbitmq-'): string {
  const dir = mkdtempSync(join(process.env.ORBIT_TEST_TMPDIR ?? tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
