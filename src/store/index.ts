export * from './store-config.js';
export * from './put-message-result.js';
export * from './dispatch-request.js';
export * from './get-message.js';
export * from './query-message.js';
export * from './message-store.js';
export * from './disk-usage.js';
export { writeJsonAtomic, writeJsonAtomicSync, readJson, readJsonSync, ConfigFile } from './config-file.js';
export type { ReadJsonResult, ConfigFileOptions } from './config-file.js';
