import {
  DeleteKVConfigRequestHeader, GetKVConfigRequestHeader, GetKVConfigResponseHeader,
  GetKVListByNamespaceRequestHeader, NamesrvAdminRequestCode, PutKVConfigRequestHeader, RequestCode, ResponseCode,
  createResponseFor,
} from '../protocol/index.js';
import type { RequestProcessor } from '../remoting/index.js';
import type { KVConfigManager } from './kv-config-manager.js';
import { encodeKVTable } from './route-json.js';

/** KV requests of namesrv/…/processor/DefaultRequestProcessor.java (4.9.8). */
export function kvProcessors(kv: KVConfigManager): Map<number, RequestProcessor> {
  const table = new Map<number, RequestProcessor>();

  table.set(RequestCode.PUT_KV_CONFIG, (request) => {
    const h = PutKVConfigRequestHeader.decode(request.extFields);
    kv.putKVConfig(h.namespace, h.key, h.value);
    return createResponseFor(request, ResponseCode.SUCCESS);
  });

  table.set(RequestCode.GET_KV_CONFIG, (request) => {
    const h = GetKVConfigRequestHeader.decode(request.extFields);
    const value = kv.getKVConfig(h.namespace, h.key);
    if (value === undefined) {
      return createResponseFor(request, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${h.namespace} Key: ${h.key}`);
    }
    return createResponseFor(request, ResponseCode.SUCCESS, undefined, { extFields: GetKVConfigResponseHeader.encode({ value }) });
  });

  table.set(RequestCode.DELETE_KV_CONFIG, (request) => {
    const h = DeleteKVConfigRequestHeader.decode(request.extFields);
    kv.deleteKVConfig(h.namespace, h.key);
    return createResponseFor(request, ResponseCode.SUCCESS);
  });

  table.set(RequestCode.GET_KVLIST_BY_NAMESPACE, (request) => {
    const h = GetKVListByNamespaceRequestHeader.decode(request.extFields);
    const list = kv.getKVListByNamespace(h.namespace);
    if (list === undefined) {
      return createResponseFor(request, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${h.namespace}`);
    }
    return createResponseFor(request, ResponseCode.SUCCESS, undefined, { body: encodeKVTable(list) });
  });

  return table;
}

/** GET/UPDATE_NAMESRV_CONFIG (318/319): properties text `key=value\n`. */
export function configProcessors(deps: {
  readonly format: () => string;
  /** Applies the properties; returns an error text or undefined. */
  readonly update: (props: Map<string, string>) => string | undefined;
}): Map<number, RequestProcessor> {
  const table = new Map<number, RequestProcessor>();
  table.set(NamesrvAdminRequestCode.GET_NAMESRV_CONFIG, (request) =>
    createResponseFor(request, ResponseCode.SUCCESS, undefined, { body: Buffer.from(deps.format(), 'utf8') }));
  table.set(NamesrvAdminRequestCode.UPDATE_NAMESRV_CONFIG, (request) => {
    const props = parseProperties(request.body?.toString('utf8') ?? '');
    if (props === undefined) return createResponseFor(request, ResponseCode.SYSTEM_ERROR, 'string2Properties error');
    const error = deps.update(props);
    if (error !== undefined) return createResponseFor(request, ResponseCode.SYSTEM_ERROR, error);
    return createResponseFor(request, ResponseCode.SUCCESS);
  });
  return table;
}

/** MixAll.string2Properties, reduced: `key=value` / `key:value` lines, `#`/`!` comments. */
export function parseProperties(text: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at <= 0) return undefined;
    out.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return out;
}
