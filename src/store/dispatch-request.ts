/**
 * What the commit log hands to its dispatchers (consume queue, index) for each
 * stored record: RocketMQ's DispatchRequest. Built from the append itself, or
 * from the stored bytes when recovering.
 */
export interface DispatchRequest {
  readonly topic: string;
  readonly queueId: number;
  readonly commitLogOffset: number;
  readonly msgSize: number;
  readonly tagsCode: number;
  readonly storeTimestamp: number;
  readonly queueOffset: number;
  /** Raw KEYS property (space separated), if any. */
  readonly keys: string | undefined;
  /** UNIQ_KEY property, if any. */
  readonly uniqKey: string | undefined;
  readonly sysFlag: number;
  readonly preparedTransactionOffset: number;
}
