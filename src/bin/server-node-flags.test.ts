import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SERVER_NODE_FLAGS, missingServerNodeFlags } from './server-node-flags.js';

test('missingServerNodeFlags finds the flags on the node command line or in NODE_OPTIONS, by name', () => {
  assert.deepEqual(missingServerNodeFlags([], undefined), [...SERVER_NODE_FLAGS]);
  assert.deepEqual(missingServerNodeFlags(['--enable-source-maps'], ''), [...SERVER_NODE_FLAGS]);
  assert.deepEqual(missingServerNodeFlags([...SERVER_NODE_FLAGS], undefined), []);
  assert.deepEqual(missingServerNodeFlags([], ` ${SERVER_NODE_FLAGS.join(' ')} --trace-warnings`), []);
  // Another value is the operator's choice, not a missing flag.
  assert.deepEqual(missingServerNodeFlags(['--initial-old-space-size=256'], undefined), []);
});
