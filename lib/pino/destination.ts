/**
 * Where the pino transport writes scrubbed lines, in the worker: a file or a file descriptor (through
 * pino's own destination, as `pino/file` does), or another transport target loaded in the same worker, as
 * pino's worker loads targets. Either way a writable stream, waited on when it pushes back and at the end.
 */
import { once } from 'node:events';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { PinoTransportOptions } from './transport-options.ts';

/** The few things the transport asks of a destination stream. */
interface LineStream extends NodeJS.EventEmitter {
  write(chunk: string): boolean;
  end(): unknown;
  readonly destroyed?: boolean;
  readonly closed?: boolean;
}

/**
 * A writable end for scrubbed lines.
 *
 * @example
 * const out: Destination = await openDestination({ destination: 2 });
 */
export interface Destination {
  /** Writes one line; resolves once the stream can take more. */
  write(line: string): Promise<void>;
  /** Ends the stream and waits until it is closed. */
  close(): Promise<void>;
}

/**
 * Opens the destination the options name (default: file descriptor 1).
 *
 * @example
 * const out = await openDestination({ destination: '/var/log/app/shipped.log', mkdir: true });
 * await out.write('{"level":30,"msg":"ok"}\n');
 * await out.close();
 */
export async function openDestination(options: PinoTransportOptions): Promise<Destination> {
  const stream = options.forward !== undefined ? await forwardTo(options.forward) : await fileOrFd(options);
  return {
    async write(line) {
      if (!stream.write(line)) await once(stream, 'drain');
    },
    async close() {
      if (stream.closed === true || stream.destroyed === true) return;
      const closed = once(stream, 'close');
      stream.end();
      await closed;
    },
  };
}

async function fileOrFd(options: PinoTransportOptions): Promise<LineStream> {
  const dest = pino.destination({ dest: options.destination ?? 1, sync: false, mkdir: options.mkdir ?? false, append: options.append ?? true });
  await once(dest, 'ready');
  return dest as unknown as LineStream;
}

/** Loads a transport target and builds its stream with its options, as pino's worker does. */
async function forwardTo(forward: NonNullable<PinoTransportOptions['forward']>): Promise<LineStream> {
  const specifier = isAbsolute(forward.target) ? pathToFileURL(forward.target).href : forward.target;
  let build: unknown = await import(specifier);
  // A default export may come wrapped once or twice, depending on how the target was compiled.
  for (let i = 0; i < 2 && typeof build === 'object' && build !== null; i++) build = (build as { default?: unknown }).default;
  if (typeof build !== 'function') throw new TypeError(`egress-guard pino transport: ${forward.target} does not export a transport (a function)`);
  return (await (build as (options: unknown) => unknown)(forward.options ?? {})) as LineStream;
}
