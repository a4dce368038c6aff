/**
 * Subscription-group admin requests (broker/processor/AdminBrokerProcessor.java,
 * 4.9.8): UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200),
 * GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201) and DELETE_SUBSCRIPTIONGROUP (207).
 */
import type { RemotingCommand } from '../../protocol/index.js';
import { ResponseCode, createResponseFor, parseFastJson } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import type { SubscriptionGroupConfig } from '../subscription-group-manager.js';
import { parseSubscriptionGroup } from '../subscription-group-manager.js';
import { DeleteSubscriptionGroupRequestHeader, slaveRefusal, sortedKeys, success } from './admin-support.js';

/**
 * UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200): body = SubscriptionGroupConfig
 * JSON; missing fields take Java's defaults. No body: SUCCESS, nothing
 * changed (as Java, where the decoded config is null).
 */
export function handleUpdateAndCreateSubscriptionGroup(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const refused = slaveRefusal(ctx, request);
  if (refused) return refused;
  const body = request.body;
  if (body !== undefined && body.length > 0) {
    const json = parseFastJson(body.toString('utf8'));
    if (json !== null) {
      const cfg = parseSubscriptionGroup(json);
      ctx.groups.update(cfg);
      ctx.logger.info('subscription group created or updated by admin', { group: cfg.groupName });
    }
  }
  return success(request);
}

/** GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201): SubscriptionGroupManager.encode() = {dataVersion, subscriptionGroupTable}. */
export function handleGetAllSubscriptionGroup(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const all = ctx.groups.all();
  if (all.length === 0) return createResponseFor(request, ResponseCode.SYSTEM_ERROR, 'No subscription group in this broker');
  const subscriptionGroupTable: Record<string, SubscriptionGroupConfig> = {};
  for (const g of all) subscriptionGroupTable[g.groupName] = sortedKeys(g);
  return success(request, { dataVersion: ctx.groups.dataVersion.toJSON(), subscriptionGroupTable });
}

/**
 * DELETE_SUBSCRIPTIONGROUP (207). `removeOffset=true` (Java:
 * ConsumerOffsetManager.removeOffset(group)) is refused up front with
 * SYSTEM_ERROR, since OrbitMQ's offset manager cannot drop one group's
 * offsets yet; nothing is deleted then.
 */
export function handleDeleteSubscriptionGroup(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const refused = slaveRefusal(ctx, request);
  if (refused) return refused;
  const h = DeleteSubscriptionGroupRequestHeader.decode(request.extFields);
  if (h.removeOffset === true) {
    return createResponseFor(request, ResponseCode.SYSTEM_ERROR,
      `removeOffset is not supported by this broker; delete group[${h.groupName}] without it`);
  }
  ctx.groups.delete(h.groupName);
  ctx.logger.info('subscription group deleted by admin', { group: h.groupName });
  return success(request);
}
