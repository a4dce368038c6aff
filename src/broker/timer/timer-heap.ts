/**
 * A binary min-heap of (deliverMs, commitLogOffset, size, queueOffset) in typed
 * arrays: no object per pending timer, so a million pending timers cost ~32 MB
 * and O(log n) per insert.
 */
export interface TimerEntry {
  readonly deliverMs: number;
  readonly commitLogOffset: number;
  readonly size: number;
  readonly queueOffset: number;
}

export class TimerHeap {
  private key = new Float64Array(1024);
  private phy = new Float64Array(1024);
  private qo = new Float64Array(1024);
  private sz = new Int32Array(1024);
  private n = 0;

  get size(): number {
    return this.n;
  }

  push(e: TimerEntry): void {
    if (this.n === this.key.length) this.grow();
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.key[parent] ?? 0) <= e.deliverMs) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, e);
  }

  peekDeliverMs(): number | undefined {
    return this.n === 0 ? undefined : this.key[0];
  }

  peek(): TimerEntry | undefined {
    return this.n === 0 ? undefined : this.at(0);
  }

  pop(): TimerEntry | undefined {
    if (this.n === 0) return undefined;
    const top = this.at(0);
    const last = this.at(--this.n);
    if (this.n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.n) break;
        const r = l + 1;
        const c = r < this.n && (this.key[r] ?? 0) < (this.key[l] ?? 0) ? r : l;
        if ((this.key[c] ?? 0) >= last.deliverMs) break;
        this.move(c, i);
        i = c;
      }
      this.set(i, last);
    }
    return top;
  }

  /** The smallest queue offset among pending entries (O(n)). */
  minQueueOffset(): number | undefined {
    if (this.n === 0) return undefined;
    let min = Infinity;
    for (let i = 0; i < this.n; i++) min = Math.min(min, this.qo[i] ?? Infinity);
    return min;
  }

  /** The smallest commit-log offset among pending entries (O(n)). */
  minCommitLogOffset(): number | undefined {
    if (this.n === 0) return undefined;
    let min = Infinity;
    for (let i = 0; i < this.n; i++) min = Math.min(min, this.phy[i] ?? Infinity);
    return min;
  }

  private at(i: number): TimerEntry {
    return { deliverMs: this.key[i] ?? 0, commitLogOffset: this.phy[i] ?? 0, size: this.sz[i] ?? 0, queueOffset: this.qo[i] ?? 0 };
  }

  private set(i: number, e: TimerEntry): void {
    this.key[i] = e.deliverMs;
    this.phy[i] = e.commitLogOffset;
    this.sz[i] = e.size;
    this.qo[i] = e.queueOffset;
  }

  private move(from: number, to: number): void {
    this.key[to] = this.key[from] ?? 0;
    this.phy[to] = this.phy[from] ?? 0;
    this.sz[to] = this.sz[from] ?? 0;
    this.qo[to] = this.qo[from] ?? 0;
  }

  private grow(): void {
    const cap = this.key.length * 2;
    const k = new Float64Array(cap);
    k.set(this.key);
    this.key = k;
    const p = new Float64Array(cap);
    p.set(this.phy);
    this.phy = p;
    const q = new Float64Array(cap);
    q.set(this.qo);
    this.qo = q;
    const s = new Int32Array(cap);
    s.set(this.sz);
    this.sz = s;
  }
}
