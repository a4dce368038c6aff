import { isIPv4, isIPv6 } from 'node:net';
import { InvalidArgumentError } from './errors.js';

/** A socket address as RocketMQ stores it: 4 or 16 address bytes + port. */
export interface HostAddress {
  readonly address: Uint8Array;
  readonly port: number;
}

function ipv4Bytes(ip: string): Uint8Array {
  return Uint8Array.from(ip.split('.').map((p) => Number.parseInt(p, 10)));
}

function ipv6Bytes(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = ip;
  let tail4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (isIPv4(maybeV4)) {
    tail4 = ipv4Bytes(maybeV4);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', tail = ''] = text.split('::');
  const headGroups = head.length > 0 ? head.split(':') : [];
  const tailGroups = text.includes('::') ? (tail.length > 0 ? tail.split(':') : []) : [];
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = (v >> 8) & 0xff;
    out[i * 2 + 1] = v & 0xff;
  });
  if (tail4) out.set(tail4, 12);
  return out;
}

/** Parses `ip:port` (IPv6 may be bracketed: `[::1]:10911`). */
export function parseHostAddress(hostPort: string): HostAddress {
  const colon = hostPort.lastIndexOf(':');
  if (colon <= 0) throw new InvalidArgumentError(`not an ip:port address: ${hostPort}`);
  let ip = hostPort.slice(0, colon);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const port = Number(hostPort.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`bad port in address: ${hostPort}`);
  }
  return makeHostAddress(ip, port);
}

export function makeHostAddress(ip: string, port: number): HostAddress {
  if (isIPv4(ip)) return { address: ipv4Bytes(ip), port };
  if (isIPv6(ip)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped?.[1] !== undefined) return { address: ipv4Bytes(mapped[1]), port };
    return { address: ipv6Bytes(ip), port };
  }
  throw new InvalidArgumentError(`not an IP address: ${ip}`);
}

export function formatIp(address: Uint8Array): string {
  // Hot on the consumer side (every received message): no intermediate array.
  if (address.length === 4) return `${address[0] ?? 0}.${address[1] ?? 0}.${address[2] ?? 0}.${address[3] ?? 0}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((address[i] ?? 0) << 8) | (address[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

export function formatHostAddress(h: HostAddress): string {
  const ip = formatIp(h.address);
  return h.address.length === 16 ? `[${ip}]:${h.port}` : `${ip}:${h.port}`;
}

export const LOOPBACK_HOST: HostAddress = { address: Uint8Array.of(127, 0, 0, 1), port: 0 };
