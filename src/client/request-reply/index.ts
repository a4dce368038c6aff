/** Request-reply over the queue (RocketMQ 4.9's request/reply). */
export { RequestFutureTable, type PendingRequest } from './request-future-table.js';
export {
  REPLY_MESSAGE_FLAG, REPLY_TOPIC_POSTFIX, REPLY_ARRIVE_TIME, REPLY_PROPERTIES, createReplyMessage, replyTopic, replyProperties,
  isReplyProperties, requestProperties, decodeReplyPush, correlationIdOf, type ReplyMessage,
} from './reply-message.js';
