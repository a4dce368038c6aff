/**
 * The broker's requests to name servers (broker/out/BrokerOuterAPI.java,
 * 4.9.8): REGISTER_BROKER to every name server in parallel with the topic
 * config wrapper as body, and UNREGISTER_BROKER at shutdown.
 */
import { crc32 } from 'node:zlib';
import type { Logger } from '../common/index.js';
import { getErrorMessage } from '../common/index.js';
import {
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  RequestCode,
  ResponseCode,
  UnregisterBrokerRequestHeader,
  createRequest,
} from '../protocol/index.js';
import type { RemotingClient } from '../remoting/index.js';

export interface BrokerIdentity {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddr: string;
  readonly haServerAddr: string;
}

export interface RegisterResult {
  readonly namesrvAddr: string;
  readonly ok: boolean;
  readonly masterAddr?: string | undefined;
  readonly haServerAddr?: string | undefined;
  readonly error?: string | undefined;
}

export class BrokerOuterAPI {
  private readonly client: RemotingClient;
  private readonly log: Logger;

  constructor(client: RemotingClient, logger: Logger) {
    this.client = client;
    this.log = logger.child({ component: 'broker.outer' });
  }

  /** Registers with every name server; never rejects (each failure is reported and logged). */
  async registerBrokerAll(namesrvAddrs: readonly string[], id: BrokerIdentity, topicConfigWrapper: unknown, timeoutMs: number): Promise<RegisterResult[]> {
    const body = Buffer.from(JSON.stringify({ topicConfigSerializeWrapper: topicConfigWrapper, filterServerList: [] }), 'utf8');
    const extFields = RegisterBrokerRequestHeader.encode({
      brokerName: id.brokerName,
      brokerAddr: id.brokerAddr,
      clusterName: id.clusterName,
      haServerAddr: id.haServerAddr,
      brokerId: id.brokerId,
      compressed: false,
      bodyCrc32: crc32(body) & 0x7fffffff,
    });
    return Promise.all(
      namesrvAddrs.map(async (addr): Promise<RegisterResult> => {
        try {
          const res = await this.client.invoke(addr, createRequest(RequestCode.REGISTER_BROKER, { extFields, body }), timeoutMs);
          if (res.code !== ResponseCode.SUCCESS) {
            this.log.warn('register broker refused', { namesrv: addr, code: res.code, remark: res.remark });
            return { namesrvAddr: addr, ok: false, error: `code ${res.code}: ${res.remark ?? ''}` };
          }
          const h = RegisterBrokerResponseHeader.decode(res.extFields);
          return { namesrvAddr: addr, ok: true, masterAddr: h.masterAddr, haServerAddr: h.haServerAddr };
        } catch (err: unknown) {
          this.log.warn('register broker failed', { namesrv: addr, error: getErrorMessage(err) });
          return { namesrvAddr: addr, ok: false, error: getErrorMessage(err) };
        }
      }),
    );
  }

  async unregisterBrokerAll(namesrvAddrs: readonly string[], id: BrokerIdentity, timeoutMs: number): Promise<void> {
    const extFields = UnregisterBrokerRequestHeader.encode({
      brokerName: id.brokerName,
      brokerAddr: id.brokerAddr,
      clusterName: id.clusterName,
      brokerId: id.brokerId,
    });
    await Promise.all(
      namesrvAddrs.map(async (addr) => {
        try {
          await this.client.invoke(addr, createRequest(RequestCode.UNREGISTER_BROKER, { extFields }), timeoutMs);
        } catch (err: unknown) {
          this.log.warn('unregister broker failed', { namesrv: addr, error: getErrorMessage(err) });
        }
      }),
    );
  }
}
