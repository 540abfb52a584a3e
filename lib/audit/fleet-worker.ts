/**
 * A worker thread of `audit-report --jobs N`: runs one ledger's pass at a time (pass.ts), its rows to the
 * file it is given, and answers with the outcome. Why a module of its own: it is the worker's entry point
 * (fleet.ts starts it); it holds nothing but the message loop.
 */
import { parentPort } from 'node:worker_threads';
import { passToFile } from './fleet.ts';
import type { PassInput } from './pass.ts';

/** Bytes read are told to the main thread at most this often (its progress line). */
const REPORT_MS = 200;

const port = parentPort;
if (port !== null) {
  port.on('message', (msg: { input: PassInput; file: string }) => {
    let bytes = 0;
    let last = Date.now();
    const onBytes = (n: number) => {
      bytes += n;
      const now = Date.now();
      if (now - last >= REPORT_MS) {
        port.postMessage({ type: 'bytes', n: bytes });
        bytes = 0;
        last = now;
      }
    };
    passToFile(msg.input, msg.file, { onBytes }).then(
      (outcome) => {
        if (bytes > 0) port.postMessage({ type: 'bytes', n: bytes });
        port.postMessage({ type: 'done', outcome });
      },
      (err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
}
