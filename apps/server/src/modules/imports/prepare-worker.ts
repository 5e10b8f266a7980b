import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../platform/errors.js';
import { prepareBatches, type PrepareOptions } from './prepare-rows.js';

/**
 * The import's row preparation on its own thread (see prepare-in-worker.ts): answers each 'next' with the
 * next batch and starts on the one after, so that a batch is ready when the database is.
 */
const opts = workerData as PrepareOptions;
const toBuffer = (key: Uint8Array) => Buffer.from(key.buffer, key.byteOffset, key.byteLength);
const batches = prepareBatches({
  ...opts,
  keys: { encryption: toBuffer(opts.keys.encryption), blindIndex: toBuffer(opts.keys.blindIndex), session: toBuffer(opts.keys.session) },
});
let ahead = batches.next();
ahead.catch(() => undefined); // reported when asked for
parentPort!.on('message', () => {
  ahead.then(
    (result) => {
      parentPort!.postMessage({ result });
      if (!result.done) {
        ahead = batches.next();
        ahead.catch(() => undefined);
      }
    },
    (err: unknown) => {
      const error =
        err instanceof AppError
          ? { code: err.code, userMessage: err.userMessage, details: err.details, message: err.message }
          : { message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      parentPort!.postMessage({ error });
    },
  );
});
