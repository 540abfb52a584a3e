/**
 * Where a streamed report goes: a stream (stdout) or a file, written in large chunks, waiting when the
 * reader is slower than the report. Why a module of its own: renderers write synchronously, item by item;
 * this gathers their text and is the one place that waits (`ready()`), between chunks of the ledger, so
 * that a report piped to a slow reader holds one chunk, not the whole report.
 */
import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

/**
 * The report could not be written (a full disk, a closed pipe): its errno code and how much was written.
 *
 * @example if (err instanceof OutputError) console.error(`stopped after ${err.written} bytes (${err.code})`);
 */
export class OutputError extends Error {
  constructor(
    readonly code: string,
    readonly written: number,
  ) {
    super(`the report could not be written (${code}) after ${written} bytes`);
    this.name = 'OutputError';
  }
}

/** Bytes gathered before they are written. */
const CHUNK = 1024 * 1024;

/**
 * A buffered writer to a stream or, atomically, a file (written beside it, renamed into place on
 * `close()`; `abort()` removes it).
 *
 * @example
 * const out = TextOut.toFile('report.json');
 * out.write('{"a":1}\n');
 * await out.ready();
 * await out.close();
 */
export class TextOut {
  // Text is encoded into this buffer as it comes: the strings die young (the collector never copies them).
  private buf = Buffer.allocUnsafe(CHUNK);
  private size = 0;
  private waiting: Promise<void> | undefined;
  private failed: OutputError | undefined;
  /** Bytes written so far. */
  written = 0;

  private constructor(
    private readonly stream: NodeJS.WritableStream | undefined,
    private readonly fd: number | undefined,
    private readonly file?: { temp: string; final: string },
  ) {}

  /** Whether the output goes to a file written beside its place and renamed into it (removed on abort). */
  get atomic(): boolean {
    return this.file !== undefined;
  }

  /**
   * Writes to a stream (stdout), honouring its backpressure.
   *
   * @example const out = TextOut.toStream(process.stdout)
   */
  static toStream(stream: NodeJS.WritableStream): TextOut {
    const out = new TextOut(stream, undefined);
    stream.on('error', (err: NodeJS.ErrnoException) => out.fail(err));
    return out;
  }

  /**
   * Writes to `path`: a regular file (or a new one) is written beside it first and renamed to `path` on
   * close, so that a report that fails half-way leaves no half report; anything else (a device, a pipe,
   * `/dev/stdout`) is written as it is. Throws (with its errno code) when it cannot be opened.
   *
   * @example const out = TextOut.toFile('/tmp/report.html')
   */
  static toFile(path: string): TextOut {
    let regular = true;
    try {
      regular = statSync(path).isFile();
    } catch {
      regular = true; // not there yet: a new file
    }
    if (!regular) return new TextOut(undefined, openSync(path, 'w'));
    const temp = `${path}.${process.pid}.partial`;
    const fd = openSync(temp, 'w', 0o644);
    return new TextOut(undefined, fd, { temp, final: path });
  }

  /**
   * Appends text (written once enough has gathered).
   *
   * @example out.write('line\n')
   */
  write(text: string): void {
    if (this.failed !== undefined) throw this.failed;
    // At most three bytes of UTF-8 per UTF-16 unit.
    if (this.size + text.length * 3 > CHUNK) {
      this.flush();
      if (text.length * 3 > CHUNK) {
        this.send(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.size += this.buf.write(text, this.size, 'utf8');
  }

  /**
   * Appends text known to be ASCII (a row made from an ASCII line): copied as it is, not encoded.
   *
   * @example out.writeAscii('{"a":1}')
   */
  writeAscii(text: string): void {
    if (this.failed !== undefined) throw this.failed;
    if (this.size + text.length > CHUNK) {
      this.flush();
      if (text.length > CHUNK) {
        this.send(Buffer.from(text, 'latin1'));
        return;
      }
    }
    this.size += this.buf.write(text, this.size, 'latin1');
  }

  /**
   * Resolves once the reader has taken what was written (immediately for a file).
   *
   * @example await out.ready()
   */
  ready(): Promise<void> | void {
    if (this.failed !== undefined) throw this.failed;
    return this.waiting;
  }

  /**
   * Writes the rest, waits for the reader, and (for a file) moves it into place.
   *
   * @example await out.close()
   */
  async close(): Promise<void> {
    this.flush();
    await this.waiting;
    if (this.failed !== undefined) throw this.failed;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      if (this.file !== undefined) renameSync(this.file.temp, this.file.final);
    }
  }

  /**
   * Gives up: a file being written is removed.
   *
   * @example out.abort()
   */
  abort(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    if (this.file !== undefined) rmSync(this.file.temp, { force: true });
  }

  private flush(): void {
    if (this.size === 0) return;
    const bytes = this.buf.subarray(0, this.size);
    this.size = 0;
    if (this.fd !== undefined) {
      this.send(bytes);
      return;
    }
    // A stream keeps what it is given until it is written: it gets this buffer, and a new one is used.
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.send(bytes);
  }

  private send(bytes: Buffer): void {
    if (this.fd !== undefined) {
      let done = 0;
      try {
        while (done < bytes.length) done += writeSync(this.fd, bytes, done);
      } catch (err) {
        this.written += done;
        this.fail(err as NodeJS.ErrnoException);
        throw this.failed;
      }
      this.written += bytes.length;
      return;
    }
    this.written += bytes.length;
    if (!this.stream!.write(bytes) && this.waiting === undefined) {
      this.waiting = new Promise((resolve) => {
        this.release = resolve;
        this.stream!.once('drain', () => {
          this.waiting = undefined;
          this.release = undefined;
          resolve();
        });
      });
    }
  }

  private release: (() => void) | undefined;

  /** The output failed: later writes throw, and nothing waits for a reader that is gone. */
  private fail(err: NodeJS.ErrnoException): void {
    this.failed ??= new OutputError(err.code ?? 'error', this.written);
    this.release?.();
  }
}
