import { connect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { noopLogger } from '../../src/common/index.js';
import {
  FrameDecoder, ResponseCode, createRequest, createResponseFor, type RemotingCommand,
} from '../../src/protocol/index.js';
import {
  RemotingClient, RemotingServer, resolveRemotingClientConfig, resolveRemotingServerConfig,
  type ChannelEventListener, type RemotingClientConfig, type RemotingServerConfig,
} from '../../src/remoting/index.js';

export const ECHO = 1000;

/** Starts a server on 127.0.0.1:0 with an ECHO processor; closed after the test. */
export async function startServer(
  t: TestContext,
  config: Partial<RemotingServerConfig> = {},
  listener?: ChannelEventListener,
): Promise<{ server: RemotingServer; addr: string; port: number }> {
  const server = new RemotingServer(
    resolveRemotingServerConfig({ host: '127.0.0.1', port: 0, ...config }),
    listener === undefined ? { logger: noopLogger } : { logger: noopLogger, channelEventListener: listener },
  );
  server.registerProcessor(ECHO, (req) =>
    createResponseFor(req, ResponseCode.SUCCESS, req.remark, { extFields: req.extFields, body: req.body }));
  await server.start();
  t.after(() => server.close({ graceMs: 0 }));
  const { port } = server.address();
  return { server, addr: `127.0.0.1:${port}`, port };
}

export function newClient(t: TestContext, config: Partial<RemotingClientConfig> = {}): RemotingClient {
  const client = new RemotingClient(resolveRemotingClientConfig(config), { logger: noopLogger });
  t.after(() => client.close());
  return client;
}

/** Polls `fn` until true; bounded by timeoutMs. */
export async function waitFor(fn: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw TCP socket plus the frames the server sent on it. */
export interface RawPeer {
  readonly socket: Socket;
  readonly frames: RemotingCommand[];
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

export async function rawConnect(t: TestContext, port: number): Promise<RawPeer> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const frames: RemotingCommand[] = [];
  const decoder = new FrameDecoder();
  socket.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk)));
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    isClosed = true;
    resolve();
  }));
  t.after(() => socket.destroy());
  return { socket, frames, closed, isClosed: () => isClosed };
}

/** Resolves when `p` settles or rejects after timeoutMs. */
export async function within<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * A well-behaved client doing back-to-back ECHO request/response until
 * stopped. `stop()` returns how many succeeded and every failure.
 */
export function startPinger(client: RemotingClient, addr: string): { stop: () => Promise<{ ok: number; failures: string[] }> } {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loop = (async () => {
    let i = 0;
    while (running) {
      const body = Buffer.from(`ping-${i}`);
      try {
        const res = await client.invoke(addr, createRequest(ECHO, { extFields: { i: String(i) }, body }), 2000);
        if (res.code !== ResponseCode.SUCCESS || res.extFields.i !== String(i) || res.body?.equals(body) !== true) {
          failures.push(`bad echo ${i}: code ${res.code}`);
        } else {
          ok++;
        }
      } catch (err: unknown) {
        failures.push(`invoke ${i}: ${String(err)}`);
      }
      i++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failures };
    },
  };
}
