/**
 * Reading a segment file line by line, in fixed-size chunks: the one way the verifier, the report and the
 * writer's reopening read a ledger. Why a module of its own: reading a whole segment into one string (as
 * the verifier once did) costs memory in proportion to the ledger and dies on a hostile line of gigabytes;
 * here memory is one chunk plus at most one line, and a line longer than the bound is skipped unread and
 * reported with its position (segment, line, byte offset), so the lines after it are still read.
 *
 * Only regular files are read, and only up to the size they had when opened: a segment replaced by a
 * device or a pipe (`/dev/zero`), or one still being appended to, cannot make a reader run forever.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * The longest line (entry) read by default: 32 MiB. A writer records whole items, and an item cut to fit
 * the control plane's limit is first recorded as it was (several MB); `audit-report --max-entry-bytes`
 * raises the bound for ledgers of larger items.
 *
 * @example segmentLines(file, { maxLineBytes: DEFAULT_MAX_ENTRY_BYTES })
 */
export const DEFAULT_MAX_ENTRY_BYTES = 32 * 1024 * 1024;

/** Bytes read at a time (a chunk holds many entries: one read call per chunk, not per line). */
const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** One line of a segment, complete and within the bound. `line` is 1-based; `offset` is its first byte. */
export interface TextLine {
  type: 'line';
  line: number;
  offset: number;
  /** The line, decoded as UTF-8, without its newline. */
  text: string;
  /** Its length in bytes on disk, without the newline. */
  bytes: number;
}

/** A line longer than the bound: skipped without being held in memory. */
export interface OversizedLine {
  type: 'oversized';
  line: number;
  offset: number;
  bytes: number;
}

/** Bytes after the last newline: an entry never completely written (a crash mid-write), or a cut file. */
export interface TornTail {
  type: 'torn';
  line: number;
  offset: number;
  bytes: number;
}

/** The file could not be opened or read (further): where reading stopped, and why (an errno code). */
export interface ReadFailure {
  type: 'error';
  line: number;
  offset: number;
  code: string;
}

/** What reading a segment yields, in file order. */
export type LineEvent = TextLine | OversizedLine | TornTail | ReadFailure;

/** How a segment is read. */
export interface LineOptions {
  /** Lines longer than this (bytes, without the newline) are skipped and reported (default 32 MiB). */
  maxLineBytes?: number;
  /** Bytes read at a time (default 256 KiB; smaller when many files are read at once). */
  chunkBytes?: number;
  /** Told the number of bytes of each chunk read (progress). */
  onBytes?: (bytes: number) => void;
}

/**
 * The lines of a file, in order, as they are read: each complete line (decoded as UTF-8), each line over
 * `maxLineBytes` (skipped, never held whole), the bytes after the last newline (a torn tail), and a read
 * error (where reading stopped). Never throws for what the file holds or an I/O error: those are events.
 *
 * @example
 * for (const ev of segmentLines('.egress-guard/ledger/ledger-000001.jsonl')) {
 *   if (ev.type === 'line') JSON.parse(ev.text);
 *   else console.log(`${ev.type} at line ${ev.line}, byte ${ev.offset}`);
 * }
 */
export function* segmentLines(file: string, options: LineOptions = {}): Generator<LineEvent, void, undefined> {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const chunkBytes = Math.max(4096, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  let fd: number;
  let size: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    yield { type: 'error', line: 0, offset: 0, code: errCode(err) };
    return;
  }
  try {
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) {
        yield { type: 'error', line: 0, offset: 0, code: 'not a regular file' };
        return;
      }
      size = st.size;
    } catch (err) {
      yield { type: 'error', line: 0, offset: 0, code: errCode(err) };
      return;
    }
    const buf = Buffer.allocUnsafe(chunkBytes);
    let position = 0;
    let line = 1;
    /** Where the current line starts in the file. */
    let lineStart = 0;
    const tail = new LineTail(maxLine);
    while (position < size) {
      let got: number;
      try {
        got = readSync(fd, buf, 0, Math.min(chunkBytes, size - position), position);
      } catch (err) {
        yield { type: 'error', line, offset: position, code: errCode(err) };
        return;
      }
      if (got === 0) break; // the file shrank while it was read: what is there was read
      options.onBytes?.(got);
      const chunkStart = position;
      position += got;
      let s = 0;
      for (;;) {
        const nl = buf.indexOf(10, s);
        if (nl < 0 || nl >= got) break;
        const bytes = chunkStart + nl - lineStart;
        if (tail.over || bytes > maxLine) {
          yield { type: 'oversized', line, offset: lineStart, bytes };
        } else if (tail.bytes === 0) {
          yield { type: 'line', line, offset: lineStart, text: buf.toString('utf8', s, nl), bytes };
        } else {
          yield { type: 'line', line, offset: lineStart, text: tail.joined(buf, s, nl).toString('utf8'), bytes };
        }
        tail.clear();
        line++;
        s = nl + 1;
        lineStart = chunkStart + s;
      }
      // Part of a line continues in the next chunk.
      if (s < got) tail.keep(buf, s, got);
    }
    const torn = position - lineStart;
    if (torn > 0) yield { type: 'torn', line, offset: lineStart, bytes: torn };
  } finally {
    closeSync(fd);
  }
}

/**
 * Every complete line of a file within the bound, as bytes (no decoding): `onLine(buf, start, end)` with
 * the line in `buf[start, end)`, valid only during the call. Torn tails, oversized lines and read errors
 * are skipped (segmentLines reports them). For light readings that look at a few bytes of each line.
 *
 * @example forEachLineBytes(file, {}, (buf, start, end) => { if (buf[start] === 0x7b) objects++; });
 */
export function forEachLineBytes(file: string, options: LineOptions, onLine: (buf: Buffer, start: number, end: number) => void): void {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const chunkBytes = Math.max(4096, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return;
    const size = st.size;
    const buf = Buffer.allocUnsafe(chunkBytes);
    let position = 0;
    const tail = new LineTail(maxLine);
    while (position < size) {
      const got = readSync(fd, buf, 0, Math.min(chunkBytes, size - position), position);
      if (got === 0) break;
      options.onBytes?.(got);
      position += got;
      let s = 0;
      for (;;) {
        const nl = buf.indexOf(10, s);
        if (nl < 0 || nl >= got) break;
        if (!tail.over && tail.bytes + (nl - s) <= maxLine) {
          if (tail.bytes === 0) onLine(buf, s, nl);
          else {
            const whole = tail.joined(buf, s, nl);
            onLine(whole, 0, whole.length);
          }
        }
        tail.clear();
        s = nl + 1;
      }
      if (s < got) tail.keep(buf, s, got);
    }
  } catch {
    // A read error: what was read is what there is (segmentLines reports it).
  } finally {
    closeSync(fd);
  }
}

/**
 * The start of a line that continues into the next chunk: its bytes kept (copied: the chunk buffer is
 * reused) while the line is within the bound, else only marked as over it. Both line readers share it.
 */
class LineTail {
  private parts: Buffer[] = [];
  /** Bytes kept so far. */
  bytes = 0;
  /** The line is over the bound: its bytes are counted by the reader, not kept. */
  over = false;

  constructor(private readonly maxLine: number) {}

  keep(buf: Buffer, from: number, to: number): void {
    if (!this.over && this.bytes + (to - from) <= this.maxLine) {
      this.parts.push(Buffer.from(buf.subarray(from, to)));
      this.bytes += to - from;
    } else {
      this.over = true;
      this.parts = [];
      this.bytes = 0;
    }
  }

  /** The whole line: what was kept, then `buf[from, to)`. */
  joined(buf: Buffer, from: number, to: number): Buffer {
    return Buffer.concat([...this.parts, buf.subarray(from, to)], this.bytes + (to - from));
  }

  clear(): void {
    this.parts = [];
    this.bytes = 0;
    this.over = false;
  }
}

/** Bytes buffered before a LineWriter writes. */
const WRITE_BUFFER = 1024 * 1024;

/**
 * Lines written to a new file (mode 0600), buffered and written synchronously: the counterpart of
 * segmentLines for the report's own temporary files (rows waiting for the time merge, a spilled queue).
 *
 * @example
 * const out = new LineWriter(join(tmp, 'rows.ndjson'));
 * out.line(JSON.stringify(row));
 * out.close();
 */
export class LineWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  /** Lines written. */
  lines = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'wx', 0o600);
  }

  /**
   * Appends one line (a newline is added).
   *
   * @example out.line('{"a":1}')
   */
  line(text: string): void {
    this.parts.push(text, '\n');
    this.size += text.length + 1;
    this.lines++;
    if (this.size >= WRITE_BUFFER) this.flush();
  }

  /**
   * Writes what is buffered and closes the file.
   *
   * @example out.close()
   */
  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const bytes = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written);
  }
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'error';
}
