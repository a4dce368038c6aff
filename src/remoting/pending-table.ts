/**
 * The requests awaiting a response on one connection, by opaque.
 *
 * Opaques are handed out in sequence, so almost every request finds its own
 * slot in a fixed array (opaque modulo the slot count); the rare one whose
 * slot is still held by an older request goes to an overflow Map. A slot is
 * cleared when its request settles. Not a Map for everything: a long-lived
 * Map with an insert and a delete per request reallocates its table every
 * few requests, and V8 keeps each replaced table linked to its successor, so
 * the tables and whatever they referenced survive young-generation
 * collections until a full one — at a few thousand requests a second that
 * is most of what the young generation has to copy.
 */
const SLOTS = 1024;
const MASK = SLOTS - 1;

export class PendingTable<T> {
  private readonly opaques = new Int32Array(SLOTS);
  private readonly values: (T | undefined)[] = new Array<T | undefined>(SLOTS).fill(undefined);
  private readonly overflow = new Map<number, T>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `opaque` (never 0, not already present). */
  set(opaque: number, value: T): void {
    const i = opaque & MASK;
    if (this.opaques[i] === 0) {
      this.opaques[i] = opaque;
      this.values[i] = value;
    } else {
      this.overflow.set(opaque, value);
    }
    this.count++;
  }

  get(opaque: number): T | undefined {
    const i = opaque & MASK;
    if (this.opaques[i] === opaque && opaque !== 0) return this.values[i];
    return this.overflow.size === 0 ? undefined : this.overflow.get(opaque);
  }

  has(opaque: number): boolean {
    return this.get(opaque) !== undefined;
  }

  /** Removes `opaque`; returns whether it was there. */
  delete(opaque: number): boolean {
    const i = opaque & MASK;
    if (this.opaques[i] === opaque && opaque !== 0) {
      this.opaques[i] = 0;
      this.values[i] = undefined;
      this.count--;
      return true;
    }
    if (this.overflow.delete(opaque)) {
      this.count--;
      return true;
    }
    return false;
  }

  /** The opaques present now (a snapshot: safe to delete while iterating it). */
  keys(): number[] {
    const out: number[] = [];
    for (let i = 0; i < SLOTS; i++) {
      const o = this.opaques[i] ?? 0;
      if (o !== 0) out.push(o);
    }
    for (const o of this.overflow.keys()) out.push(o);
    return out;
  }
}
