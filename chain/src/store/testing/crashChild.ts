/**
 * Child process of the crash test: commits deterministic random batches forever, and after each
 * commit resolves appends "<version> <appHash>" to a log. The parent SIGKILLs it at random.
 * Usage: node --import tsx crashChild.ts <dbDir> <logFile>
 */
import { appendFileSync } from 'node:fs';
import { openCommitMultiStore } from '../commitMultiStore.js';
import { CRASH_OPTIONS, CRASH_STORES, crashWrites } from './crashWorkload.js';

const [dir, log] = process.argv.slice(2);
if (!dir || !log) throw new Error('usage: crashChild.ts <dbDir> <logFile>');
const store = await openCommitMultiStore(dir, CRASH_OPTIONS);
process.send?.('ready');
for (;;) {
  const version = store.lastCommitId().version + 1;
  for (const w of crashWrites(version)) {
    const kv = store.getKVStore(CRASH_STORES[w.store] as string);
    if (w.value === undefined) kv.delete(w.key);
    else kv.set(w.key, w.value);
  }
  const id = await store.commit();
  appendFileSync(log, `${id.version} ${Buffer.from(id.hash).toString('hex')}\n`);
}
