import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '@forecourt/contracts';
import { AppError } from '../../platform/errors.js';
import type { PrepareOptions, PreparedBatch } from './prepare-rows.js';

type Reply =
  { result: IteratorResult<PreparedBatch> } | { error: { code?: ErrorCode; userMessage?: string; details?: unknown; message: string } };

/**
 * The same batches as `prepareBatches`, prepared on a worker thread: reading, validating, hashing and
 * encrypting a batch (about a quarter of an import's CPU) then runs on the second core while this thread
 * and the database write the previous one. The worker stays one batch ahead; it ends with the generator.
 */
export async function* prepareInWorker(opts: PrepareOptions): AsyncGenerator<PreparedBatch> {
  const worker = new Worker(new URL('./prepare-worker.mjs', import.meta.url), { workerData: opts, execArgv: [] });
  let failure: Error | null = null;
  let waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  const fail = (err: Error) => {
    failure ??= err;
    waiting?.reject(failure);
    waiting = null;
  };
  worker.on('message', (reply: Reply) => {
    waiting?.resolve(reply);
    waiting = null;
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`the import's preparation thread exited (${code})`)));
  try {
    for (;;) {
      if (failure) throw failure;
      const reply = await new Promise<Reply>((resolve, reject) => {
        waiting = { resolve, reject };
        worker.postMessage('next');
      });
      if ('error' in reply) {
        const { code, userMessage, details, message } = reply.error;
        throw code && userMessage ? new AppError(code, userMessage, details, message) : new Error(message);
      }
      if (reply.result.done) return;
      yield reply.result.value;
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
