import { OrbitError } from '../common/index.js';

/**
 * A peer answered with a non-success response code. Carries the numeric
 * `responseCode` and the peer's `remark` (mirrors the Java client's
 * `MQBrokerException(code, remark)`). The OrbitError `code` is the RocketMQ
 * name of the response code (e.g. `TOPIC_NOT_EXIST`) or `RESPONSE_<n>`.
 */
export class ResponseError extends OrbitError {
  readonly responseCode: number;
  readonly remark: string | undefined;

  constructor(
    code: string,
    responseCode: number,
    remark: string | undefined,
    options: { readonly retriable?: boolean; readonly cause?: unknown } = {},
  ) {
    super(code, `${code} (${responseCode})${remark === undefined ? '' : `: ${remark}`}`, options);
    this.responseCode = responseCode;
    this.remark = remark;
  }
}
