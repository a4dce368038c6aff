/**
 * Long polling (broker/longpolling/PullRequestHoldService.java and
 * NotifyMessageArrivingListener, 4.9.8): a pull that found nothing is held
 * until a matching message arrives in its queue or its suspend time runs out,
 * then the pull runs again and its response is written to the channel.
 */
import type { Clock, Logger } from '../common/index.js';
import { getErrorMessage } from '../common/index.js';
import type { RemotingCommand } from '../protocol/index.js';
import type { RemotingChannel } from '../remoting/index.js';
import type { SubscriptionData } from './subscription-data.js';
import { matchesTagsCode } from './subscription-data.js';

export interface HeldPull {
  readonly request: RemotingCommand;
  readonly channel: RemotingChannel;
  readonly topic: string;
  readonly queueId: number;
  readonly pullFromThisOffset: number;
  readonly subscription: SubscriptionData | undefined;
  readonly deadline: number;
}

/** Runs the pull again without suspending and returns the response to write. */
export type PullExecutor = (held: HeldPull) => RemotingCommand | undefined;

export class PullRequestHoldService {
  private readonly held = new Map<string, HeldPull[]>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private executor: PullExecutor | undefined;
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  constructor(deps: { clock: Clock; logger: Logger; checkIntervalMs?: number }) {
    this.clock = deps.clock;
    this.log = deps.logger.child({ component: 'broker.longpolling' });
    this.timer = setInterval(() => this.checkTimeouts(), deps.checkIntervalMs ?? 200);
    this.timer.unref();
  }

  setExecutor(executor: PullExecutor): void {
    this.executor = executor;
  }

  get size(): number {
    return this.count;
  }

  suspend(pull: HeldPull): void {
    const key = `${pull.topic}@${pull.queueId}`;
    let list = this.held.get(key);
    if (list === undefined) {
      list = [];
      this.held.set(key, list);
    }
    list.push(pull);
    this.count++;
  }

  /** A message was dispatched to (topic, queueId) at queue offset `queueOffset`. */
  notifyMessageArriving(topic: string, queueId: number, queueOffset: number, tagsCode: number): void {
    if (this.count === 0) return;
    const list = this.held.get(`${topic}@${queueId}`);
    if (list === undefined || list.length === 0) return;
    const wake = this.takeFrom(list, (p) => queueOffset >= p.pullFromThisOffset && matchesTagsCode(p.subscription, tagsCode));
    if (wake === undefined) return;
    // Answer once the current dispatch batch is done (a microtask: the store
    // dispatches a whole write-out synchronously) and before the appends' own
    // responses are written, not a loop turn later behind other I/O.
    queueMicrotask(() => {
      for (const p of wake) this.execute(p);
    });
  }

  private checkTimeouts(): void {
    if (this.held.size === 0) return;
    const now = this.clock.now();
    for (const [key, list] of this.held) {
      if (list.length === 0) {
        this.held.delete(key);
        continue;
      }
      const expired = this.takeFrom(list, (p) => p.deadline <= now || !p.channel.isOpen);
      if (expired !== undefined) for (const p of expired) if (p.channel.isOpen) this.execute(p);
    }
  }

  /**
   * Takes the pulls `selected` picks out of `list`, compacting it in place;
   * returns them, or undefined when none. In place: the list and its Map
   * entry live on (an empty list is dropped by the periodic sweep), so
   * parking and waking a pull per message churns neither the Map nor
   * long-lived arrays.
   */
  private takeFrom(list: HeldPull[], selected: (p: HeldPull) => boolean): HeldPull[] | undefined {
    let taken: HeldPull[] | undefined;
    let kept = 0;
    for (const p of list) {
      if (selected(p)) (taken ??= []).push(p);
      else list[kept++] = p;
    }
    if (taken === undefined) return undefined;
    list.length = kept;
    this.count -= taken.length;
    return taken;
  }

  private execute(p: HeldPull): void {
    if (this.executor === undefined || !p.channel.isOpen) return;
    try {
      const response = this.executor(p);
      if (response !== undefined) p.channel.send(response);
    } catch (err: unknown) {
      this.log.warn('held pull failed', { topic: p.topic, queueId: p.queueId, error: getErrorMessage(err) });
    }
  }

  /** Answers every held pull now (shutdown). */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const all = [...this.held.values()].flat();
    this.held.clear();
    this.count = 0;
    for (const p of all) this.execute(p);
  }
}
