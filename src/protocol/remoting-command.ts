import { MQVersion } from './language-code.js';

/**
 * Header serialisation of a frame: byte 4 of the frame. Mirrors
 * `org.apache.rocketmq.remoting.protocol.SerializeType`.
 */
export const SerializeType = {
  JSON: 0,
  ROCKETMQ: 1,
} as const;
export type SerializeType = (typeof SerializeType)[keyof typeof SerializeType];

/** Flag bits of `RemotingCommand.flag` (RemotingCommand.java RPC_TYPE / RPC_ONEWAY). */
export const RemotingCommandFlag = {
  /** bit 0 set = response, clear = request */
  RPC_TYPE: 0x1,
  /** bit 1 set = oneway request: no response will be sent */
  RPC_ONEWAY: 0x2,
} as const;

/** Language OrbitMQ writes by default (4.9.x peers do not know NODE_JS). */
export const DEFAULT_LANGUAGE = 'JAVA';
/** Version OrbitMQ writes by default: V4_9_8 (≥ V4_9_4 asks for standard route JSON). */
export const DEFAULT_VERSION: number = MQVersion.V4_9_8;

/**
 * One remoting command, request or response. Mirrors
 * `org.apache.rocketmq.remoting.protocol.RemotingCommand`; the custom header
 * lives flattened in `extFields` (string → string, as on the wire).
 */
export interface RemotingCommand {
  code: number;
  /** LanguageCode name, e.g. `JAVA` */
  language: string;
  version: number;
  opaque: number;
  flag: number;
  remark?: string | undefined;
  extFields: Record<string, string>;
  body?: Buffer | undefined;
  /**
   * A body to send as these buffers back to back, instead of `body`: the
   * frame carries their total length and the connection writes them as they
   * are (one writev, no joining copy). Set by senders only (a pull response
   * of stored records); the decoder always sets `body`. Use `bodyOf` to read
   * either form.
   */
  bodyParts?: readonly Buffer[] | undefined;
  /** Serialisation the command arrived in (set by the decoder only). */
  serializeType?: SerializeType | undefined;
}

export interface CreateRequestOptions {
  readonly extFields?: Record<string, string>;
  readonly body?: Buffer | undefined;
  readonly remark?: string | undefined;
  readonly language?: string;
  readonly version?: number;
  readonly opaque?: number;
  readonly oneway?: boolean;
}

export interface CreateResponseOptions {
  readonly extFields?: Record<string, string>;
  readonly body?: Buffer | undefined;
  /** Instead of `body`: see RemotingCommand.bodyParts. */
  readonly bodyParts?: readonly Buffer[] | undefined;
  readonly language?: string;
  readonly version?: number;
  readonly opaque?: number;
}

/** A request command (`RemotingCommand.createRequestCommand`). Opaque defaults to 0: the sender assigns it. */
export function createRequest(code: number, options: CreateRequestOptions = {}): RemotingCommand {
  const cmd: RemotingCommand = {
    code,
    language: options.language ?? DEFAULT_LANGUAGE,
    version: options.version ?? DEFAULT_VERSION,
    opaque: options.opaque ?? 0,
    flag: options.oneway === true ? RemotingCommandFlag.RPC_ONEWAY : 0,
    extFields: options.extFields ?? {},
  };
  if (options.remark !== undefined) cmd.remark = options.remark;
  if (options.body !== undefined) cmd.body = options.body;
  return cmd;
}

/** A response command (`RemotingCommand.createResponseCommand`): flag bit 0 set. */
export function createResponse(code: number, remark?: string, options: CreateResponseOptions = {}): RemotingCommand {
  const cmd: RemotingCommand = {
    code,
    language: options.language ?? DEFAULT_LANGUAGE,
    version: options.version ?? DEFAULT_VERSION,
    opaque: options.opaque ?? 0,
    flag: RemotingCommandFlag.RPC_TYPE,
    extFields: options.extFields ?? {},
  };
  if (remark !== undefined) cmd.remark = remark;
  if (options.body !== undefined) cmd.body = options.body;
  if (options.bodyParts !== undefined) cmd.bodyParts = options.bodyParts;
  return cmd;
}

/** A response to `request`: copies its opaque. */
export function createResponseFor(
  request: RemotingCommand,
  code: number,
  remark?: string,
  options: Omit<CreateResponseOptions, 'opaque'> = {},
): RemotingCommand {
  return createResponse(code, remark, { ...options, opaque: request.opaque });
}

/** The body of `cmd` as one buffer (joins `bodyParts`), or undefined when it has none. */
export function bodyOf(cmd: RemotingCommand): Buffer | undefined {
  if (cmd.bodyParts === undefined) return cmd.body;
  return cmd.bodyParts.length === 1 ? cmd.bodyParts[0] : Buffer.concat(cmd.bodyParts);
}

export function isResponse(cmd: RemotingCommand): boolean {
  return (cmd.flag & RemotingCommandFlag.RPC_TYPE) !== 0;
}

export function isOneway(cmd: RemotingCommand): boolean {
  return (cmd.flag & RemotingCommandFlag.RPC_ONEWAY) !== 0;
}

/** Sets the response bit (`markResponseType`). */
export function markResponse(cmd: RemotingCommand): void {
  cmd.flag |= RemotingCommandFlag.RPC_TYPE;
}

/** Sets the oneway bit (`markOnewayRPC`). */
export function markOneway(cmd: RemotingCommand): void {
  cmd.flag |= RemotingCommandFlag.RPC_ONEWAY;
}
