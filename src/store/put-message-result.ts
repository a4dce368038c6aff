/**
 * Outcomes of an append, as RocketMQ's store/PutMessageStatus.java and
 * AppendMessageResult (4.9.8). Expected outcomes are values, not exceptions.
 */
export const PutMessageStatus = {
  PUT_OK: 'PUT_OK',
  FLUSH_DISK_TIMEOUT: 'FLUSH_DISK_TIMEOUT',
  FLUSH_SLAVE_TIMEOUT: 'FLUSH_SLAVE_TIMEOUT',
  SLAVE_NOT_AVAILABLE: 'SLAVE_NOT_AVAILABLE',
  SERVICE_NOT_AVAILABLE: 'SERVICE_NOT_AVAILABLE',
  CREATE_MAPEDFILE_FAILED: 'CREATE_MAPEDFILE_FAILED',
  MESSAGE_ILLEGAL: 'MESSAGE_ILLEGAL',
  PROPERTIES_SIZE_EXCEEDED: 'PROPERTIES_SIZE_EXCEEDED',
  OS_PAGECACHE_BUSY: 'OS_PAGECACHE_BUSY',
  UNKNOWN_ERROR: 'UNKNOWN_ERROR',
} as const;
export type PutMessageStatus = (typeof PutMessageStatus)[keyof typeof PutMessageStatus];

/** Where an append landed (AppendMessageResult). */
export interface AppendMessageResult {
  /** Commit-log offset of the first record. */
  readonly wroteOffset: number;
  /** Bytes written (all records of a batch). */
  readonly wroteBytes: number;
  /** Offset message id of each record (one for a single message). */
  readonly msgIds: readonly string[];
  /** Queue offset of the first record. */
  readonly logicsOffset: number;
  readonly storeTimestamp: number;
  readonly msgNum: number;
}

export type PutMessageResult =
  | {
      readonly status: typeof PutMessageStatus.PUT_OK | typeof PutMessageStatus.FLUSH_DISK_TIMEOUT;
      readonly appendResult: AppendMessageResult;
    }
  | {
      readonly status: Exclude<PutMessageStatus, 'PUT_OK' | 'FLUSH_DISK_TIMEOUT'>;
      /** Why, for the operator and the response remark. */
      readonly reason: string;
    };

export function isPutOk(r: PutMessageResult): r is Extract<PutMessageResult, { appendResult: AppendMessageResult }> {
  return r.status === PutMessageStatus.PUT_OK || r.status === PutMessageStatus.FLUSH_DISK_TIMEOUT;
}
