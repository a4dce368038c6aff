/**
 * END_TRANSACTION (37) (broker/processor/EndTransactionProcessor.java, 4.9.8):
 * the producer's verdict on a half message — commit, rollback or unknown.
 * Usually sent oneway; answered when the request asks for a response.
 */
import type { RemotingCommand } from '../../protocol/index.js';
import { EndTransactionRequestHeader, RequestCode, ResponseCode, createResponseFor } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';

async function endTransaction(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = EndTransactionRequestHeader.decode(request.extFields);
  if (ctx.config.brokerRole === 'SLAVE') {
    return createResponseFor(request, ResponseCode.SLAVE_NOT_AVAILABLE, 'Message store is slave mode, so end transaction is forbidden. ');
  }
  const outcome = await ctx.transactions.end(h);
  if (outcome.ok) return createResponseFor(request, ResponseCode.SUCCESS);
  ctx.logger.warn('end transaction refused', { group: h.producerGroup, offset: h.commitLogOffset, remark: outcome.remark });
  return createResponseFor(request, ResponseCode.SYSTEM_ERROR, outcome.remark);
}

export function registerEndTransactionProcessor(ctx: BrokerContext): void {
  ctx.server.registerProcessor(RequestCode.END_TRANSACTION, (request) => endTransaction(ctx, request));
}
