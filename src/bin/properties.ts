/**
 * Java `.properties` subset used by RocketMQ's broker.conf: `key=value` or
 * `key: value` lines, `#`/`!` comments, surrounding whitespace trimmed,
 * trailing backslash continues a line.
 */
export interface PropertyLine {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export function parseProperties(text: string): PropertyLine[] {
  const out: PropertyLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim();
    const start = i + 1;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').trim();
    }
    if (line.length === 0 || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m?.[1] === undefined) out.push({ key: line, value: '', line: start });
    else out.push({ key: m[1], value: (m[2] ?? '').trim(), line: start });
  }
  return out;
}
