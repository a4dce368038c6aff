/** Message trace: the record format, the async writer, the hooks and the query. */
export {
  TRACE_TOPIC, CONTENT_SPLITOR, FIELD_SPLITOR, TRACE_GROUP_PREFIX, TRACE_MESSAGE_TYPES, CONSUME_RETURN_TYPES,
  encodeTraceRecord, decodeTraceData, traceRecordKeys,
  type TraceRecord, type PubTraceRecord, type SubBeforeTraceRecord, type SubAfterTraceRecord, type EndTransactionTraceRecord,
  type TraceMessageType, type ConsumeReturnType,
} from './trace-data.js';
export {
  TraceDispatcher, TRACE_CLIENT_PROPERTY, resolveTraceOption, traceSenderSettings,
  type TraceOptions, type TraceSender, type TraceSenderSettings, type TraceDispatcherOptions,
} from './trace-dispatcher.js';
export { sendTraceHooks, consumeTraceHooks } from './trace-hooks.js';
export {
  queryTrace, buildMessageTrace,
  type MessageTrace, type TracePublish, type TraceConsume, type TraceGroupSummary, type TraceSource, type QueryTraceOptions,
} from './trace-query.js';
