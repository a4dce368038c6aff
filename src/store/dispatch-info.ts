/**
 * What dispatch needs from a record's properties and sys flag: the tag hash
 * code for the consume queue, KEYS and UNIQ_KEY for the index, and whether the
 * record gets a consume-queue entry at all (CommitLog.checkMessageAndReturnSize
 * and DefaultMessageStore.CommitLogDispatcherBuildConsumeQueue, 4.9.8).
 */
import { MessageConst, MessageSysFlag, findProperty, javaHashCode, transactionType } from '../common/index.js';

export interface DispatchInfo {
  readonly tagsCode: number;
  readonly keys: string | undefined;
  readonly uniqKey: string | undefined;
  /** PREPARED and ROLLBACK transaction records get no consume-queue entry and no queue offset. */
  readonly consumable: boolean;
}

export function isConsumable(sysFlag: number): boolean {
  const t = transactionType(sysFlag);
  return t === MessageSysFlag.TRANSACTION_NOT_TYPE || t === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
}

export function dispatchInfo(properties: string, sysFlag: number): DispatchInfo {
  if (properties.length === 0) return { tagsCode: 0, keys: undefined, uniqKey: undefined, consumable: isConsumable(sysFlag) };
  const tags = findProperty(properties, MessageConst.PROPERTY_TAGS);
  return {
    tagsCode: tags === undefined || tags.length === 0 ? 0 : javaHashCode(tags),
    keys: findProperty(properties, MessageConst.PROPERTY_KEYS),
    uniqKey: findProperty(properties, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
    consumable: isConsumable(sysFlag),
  };
}
