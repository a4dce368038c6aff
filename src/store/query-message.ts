/**
 * Query by key (DefaultMessageStore.queryMessage, 4.9.8): index lookup, then
 * each candidate record is read and its topic and keys checked, since index
 * entries match by hash and may point past a truncated tail.
 */
import { MessageConst, decodeStoredMessage, findProperty } from '../common/index.js';
import type { IndexService } from './index-service.js';

export interface QueryMessageResult {
  /** Stored records, byte for byte, newest first. */
  readonly messages: readonly Buffer[];
  readonly indexLastUpdateTimestamp: number;
  readonly indexLastUpdatePhyoffset: number;
}

function hasKey(properties: string, key: string): boolean {
  if (findProperty(properties, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) === key) return true;
  const keys = findProperty(properties, MessageConst.PROPERTY_KEYS);
  return keys !== undefined && keys.split(MessageConst.KEY_SEPARATOR).includes(key);
}

export function queryMessagesByKey(
  index: IndexService,
  readRecord: (commitLogOffset: number) => Buffer | undefined,
  topic: string,
  key: string,
  maxNum: number,
  begin: number,
  end: number,
): QueryMessageResult {
  const found = index.queryOffset(topic, key, maxNum, begin, end);
  const messages: Buffer[] = [];
  for (const offset of found.phyOffsets) {
    const rec = readRecord(offset);
    if (rec === undefined) continue;
    const m = decodeStoredMessage(rec);
    if (m.topic === topic && hasKey(m.properties, key)) messages.push(rec);
  }
  return {
    messages,
    indexLastUpdateTimestamp: found.indexLastUpdateTimestamp,
    indexLastUpdatePhyoffset: found.indexLastUpdatePhyoffset,
  };
}
