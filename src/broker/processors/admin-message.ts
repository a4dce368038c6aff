/**
 * Message lookups (broker/processor/QueryMessageProcessor.java, 4.9.8):
 * QUERY_MESSAGE (12) by key and VIEW_MESSAGE_BY_ID (33) by commit-log
 * offset. Bodies are stored records byte for byte (message-format.md §1).
 */
import { PHYSICAL_OFFSET_POSITION, readInt64BE } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import {
  QueryMessageRequestHeader, QueryMessageResponseHeader, ResponseCode, ViewMessageRequestHeader, createResponseFor,
} from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';

/** MixAll.UNIQUE_MSG_QUERY_FLAG: the client looks a message up by its UNIQ_KEY. */
export const UNIQUE_MSG_QUERY_FLAG = '_UNIQUE_KEY_QUERY';
/** MessageStoreConfig.defaultQueryMaxNum (4.9.8 default). */
export const DEFAULT_QUERY_MAX_NUM = 32;

/**
 * QUERY_MESSAGE (12). With extField `_UNIQUE_KEY_QUERY`="true" Java replaces
 * maxNum by defaultQueryMaxNum (32) — it does not stop at one match; the
 * client keeps the records whose UNIQ_KEY equals the key. The store caps
 * maxNum at 64 (maxMsgsNumBatch). Records go out in commit-log order, as
 * DefaultMessageStore.queryMessage sorts the offsets. The response header
 * carries the index's last update on success and on QUERY_NOT_FOUND alike.
 */
export function handleQueryMessage(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = QueryMessageRequestHeader.decode(request.extFields);
  const maxNum = request.extFields[UNIQUE_MSG_QUERY_FLAG] === 'true' ? DEFAULT_QUERY_MAX_NUM : h.maxNum;
  const r = ctx.store.queryMessage(h.topic, h.key, maxNum, h.beginTimestamp, h.endTimestamp);
  const extFields = QueryMessageResponseHeader.encode({
    indexLastUpdateTimestamp: r.indexLastUpdateTimestamp,
    indexLastUpdatePhyoffset: r.indexLastUpdatePhyoffset,
  });
  if (r.messages.length === 0) {
    return createResponseFor(request, ResponseCode.QUERY_NOT_FOUND, 'can not find message, maybe time range not correct', { extFields });
  }
  const records = [...r.messages].sort((a, b) => readInt64BE(a, PHYSICAL_OFFSET_POSITION) - readInt64BE(b, PHYSICAL_OFFSET_POSITION));
  return createResponseFor(request, ResponseCode.SUCCESS, undefined, { extFields, body: Buffer.concat(records) });
}

/** VIEW_MESSAGE_BY_ID (33): header `offset` = commit-log offset decoded from the offset msgId. */
export function handleViewMessageById(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const { offset } = ViewMessageRequestHeader.decode(request.extFields);
  const record = offset >= 0 ? ctx.store.lookMessageByOffset(offset) : undefined;
  if (record === undefined) {
    return createResponseFor(request, ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${offset}`);
  }
  return createResponseFor(request, ResponseCode.SUCCESS, undefined, { body: record });
}
