/**
 * Topic name rules and system topics (common/topic/TopicValidator.java and
 * common/MixAll.java, 4.9.8).
 */
export const TopicValidator = {
  AUTO_CREATE_TOPIC_KEY_TOPIC: 'TBW102',
  RMQ_SYS_SCHEDULE_TOPIC: 'SCHEDULE_TOPIC_XXXX',
  RMQ_SYS_BENCHMARK_TOPIC: 'BenchmarkTest',
  RMQ_SYS_TRANS_HALF_TOPIC: 'RMQ_SYS_TRANS_HALF_TOPIC',
  RMQ_SYS_TRACE_TOPIC: 'RMQ_SYS_TRACE_TOPIC',
  RMQ_SYS_TRANS_OP_HALF_TOPIC: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: 'TRANS_CHECK_MAX_TIME_TOPIC',
  RMQ_SYS_SELF_TEST_TOPIC: 'SELF_TEST_TOPIC',
  RMQ_SYS_OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
  SYSTEM_TOPIC_PREFIX: 'rmq_sys_',
} as const;

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';
export const TOPIC_MAX_LENGTH = 127;

const VALID = /^[%|a-zA-Z0-9_-]+$/;

/** Topics clients may not send to (TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET). */
const NOT_ALLOWED_SEND = new Set<string>([
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

/** The reason a topic name is invalid (TopicValidator.validateTopic), or undefined. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'The specified topic is blank.';
  if (!VALID.test(topic)) return `The specified topic[${topic}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`;
  if (topic.length > TOPIC_MAX_LENGTH) return `The specified topic is longer than topic max length ${TOPIC_MAX_LENGTH}.`;
  return undefined;
}

export function isNotAllowedSendTopic(topic: string): boolean {
  return NOT_ALLOWED_SEND.has(topic);
}

export function isSystemTopic(topic: string): boolean {
  return NOT_ALLOWED_SEND.has(topic) || topic.startsWith(TopicValidator.SYSTEM_TOPIC_PREFIX) ||
    topic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC || topic === TopicValidator.RMQ_SYS_BENCHMARK_TOPIC ||
    topic === TopicValidator.RMQ_SYS_TRACE_TOPIC;
}

export const getRetryTopic = (group: string): string => `${RETRY_GROUP_TOPIC_PREFIX}${group}`;
export const getDLQTopic = (group: string): string => `${DLQ_GROUP_TOPIC_PREFIX}${group}`;
export const isRetryTopic = (topic: string): boolean => topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
