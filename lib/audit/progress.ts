/**
 * Progress of a long report on stderr, only when stderr is a terminal: one line, rewritten in place at
 * most a few times a second, cleared at the end. Why a module of its own: a fleet report reads gigabytes
 * for minutes; a reviewer at a terminal should see it move, and a pipeline's log should not fill with it.
 */

/** Where progress goes: a writable stream that may be a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** How often the line is rewritten, at most. */
const EVERY_MS = 250;

/**
 * A progress line for `ledgers` ledgers: bytes read, ledgers done and failed. Does nothing unless
 * `stream.isTTY`.
 *
 * @example
 * const progress = new Progress(io.stderr, ledgers.length);
 * progress.bytes(chunk.length);
 * progress.ledgerDone(outcome.problemsTotal > 0);
 * progress.end();
 */
export class Progress {
  private readBytes = 0;
  private done = 0;
  private failed = 0;
  private last = 0;
  private shown = false;
  private readonly on: boolean;
  private readonly started = Date.now();

  constructor(
    private readonly stream: ProgressStream,
    private readonly ledgers: number,
  ) {
    this.on = stream.isTTY === true;
  }

  /**
   * Bytes of ledger read.
   *
   * @example progress.bytes(262144)
   */
  bytes(n: number): void {
    this.readBytes += n;
    this.tick();
  }

  /**
   * A ledger verified (`failed`: it has problems).
   *
   * @example progress.ledgerDone(false)
   */
  ledgerDone(failed: boolean): void {
    this.done++;
    if (failed) this.failed++;
    this.tick();
  }

  /**
   * Clears the line.
   *
   * @example progress.end()
   */
  end(): void {
    if (this.shown) this.stream.write('\r\u001b[2K');
    this.shown = false;
  }

  private tick(): void {
    if (!this.on) return;
    const now = Date.now();
    if (now - this.last < EVERY_MS) return;
    this.last = now;
    const mb = this.readBytes / 1_048_576;
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    this.stream.write(`\r\u001b[2Kaudit-report: ${this.done}/${this.ledgers} ledgers, ${mb.toFixed(0)} MB read (${(mb / seconds).toFixed(0)} MB/s)${this.failed > 0 ? `, ${this.failed} with problems` : ''}`);
    this.shown = true;
  }
}
