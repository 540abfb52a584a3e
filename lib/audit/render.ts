/**
 * The report's formats, written as the items come: each renderer takes items one at a time and the rest
 * of the report (summaries, verdict) at the end. Why a module of its own: `audit-report` writes reports of
 * millions of items, which no format may hold. Table, NDJSON and JSON write each item straight out (JSON
 * as a streamed array); Markdown puts its items last, after summaries only known at the end, so they wait
 * in a temporary file, not in memory; HTML is a page to open, so it lists the first HTML_ITEMS items and
 * says how many more there are (its summaries and chart count them all).
 *
 * Every format treats what the ledger holds as untrusted text (report.ts: visible, markdownText,
 * jsonVisible; html.ts), and shows the verdict of verdictOf.
 */
import { join } from 'node:path';
import { renderHtmlPage, htmlRow } from './html.ts';
import { jsonVisible, markdownText, verdictOf, visible, type Report, type ReportItem } from './report.ts';
import { LineWriter, segmentLines } from './stream.ts';
import { TimeHistogram, type ChartBars, type Row } from './summary.ts';

/** The report's formats. */
export type ReportFormat = 'table' | 'json' | 'ndjson' | 'md' | 'html';

/**
 * The formats `audit-report --format` takes.
 *
 * @example REPORT_FORMATS.includes('ndjson') // true
 */
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'ndjson', 'md', 'html'];

/**
 * Items the HTML page lists: a page to open in a browser; the rest are counted, and the summaries count all.
 *
 * @example report.summary.items > HTML_ITEMS // the page says where its list stopped
 */
export const HTML_ITEMS = 10_000;
/** Items the table measures its columns on before it writes (the ones after are written as they come). */
const TABLE_SAMPLE = 1_000;
/** Markdown rows kept in memory before they go to a temporary file. */
const MD_MEMORY = 4 * 1024 * 1024;

/** Where a renderer writes: text in order (the caller buffers and waits for the reader). */
export interface TextSink {
  write(text: string): void;
  /** Text known to be ASCII (may be copied without encoding); `write` when absent. */
  writeAscii?(text: string): void;
}

/** The report without its items: what is known at the end. */
export type ReportTail = Omit<Report, 'items'>;

/** A format being written: the items as they come, then the rest. */
export interface ReportRenderer {
  /** One item, in report order. */
  row(row: Row): void;
  /** Everything else; `chart`: the items per channel over time, for the HTML chart. */
  end(tail: ReportTail, chart?: ChartBars): void;
}

/**
 * A renderer of `format` writing to `out`. `head` is what the report starts with (JSON writes it first);
 * `tmpDir` is where Markdown keeps its items until the end (without it, in memory).
 *
 * @example
 * const r = createRenderer('ndjson', { write: (s) => process.stdout.write(s) }, { generated_at: new Date().toISOString(), filters: {} });
 * r.row(item);
 * r.end(tail);
 */
export function createRenderer(format: ReportFormat, out: TextSink, head: Pick<Report, 'generated_at' | 'filters'>, tmpDir?: string): ReportRenderer {
  switch (format) {
    case 'table':
      return new TableRenderer(out);
    case 'json':
      return new JsonRenderer(out, head);
    case 'ndjson':
      return new NdjsonRenderer(out);
    case 'md':
      return new MarkdownRenderer(out, tmpDir);
    case 'html':
      return new HtmlRenderer(out);
  }
}

/**
 * The report as a terminal table: one row per item, then the summary and the verdict.
 *
 * @example process.stdout.write(renderTable(buildReport(ledgers, {}, { performed: false, signaturesChecked: false })));
 */
export function renderTable(r: Report): string {
  return renderWhole('table', r);
}

/**
 * The report as Markdown, for a review or a ticket: verdict, summary tables, then one row per item.
 *
 * @example writeFileSync('audit.md', renderMarkdown(report));
 */
export function renderMarkdown(r: Report): string {
  return renderWhole('md', r);
}

/**
 * A report held in memory, rendered by the streaming renderer of `format` (the same text audit-report writes).
 *
 * @example writeFileSync('report.html', renderWhole('html', report));
 */
export function renderWhole(format: ReportFormat, r: Report): string {
  const parts: string[] = [];
  const renderer = createRenderer(format, { write: (s) => parts.push(s) }, r);
  const chart = new TimeHistogram();
  for (const item of r.items) {
    renderer.row({ item });
    const t = Date.parse(item.time);
    if (Number.isFinite(t)) chart.add(t, item.channel);
  }
  const { items: _items, ...tail } = r;
  renderer.end(tail, chart.bars(24));
  return parts.join('');
}

const changes = (i: ReportItem): string =>
  i.blocked ? 'BLOCKED (policy error: placeholder sent)' : i.findings.map((f) => `${f.path}: ${f.detector} -> ${f.action}${f.count > 1 ? ` x${f.count}` : ''}`).join('; ') || '-';

const delivery = (i: ReportItem): string => (i.acked ? 'acked' : i.blocked ? 'blocked' : 'UNACKED');

const TABLE_HEADER = ['time', 'channel', 'kind', 'run', 'policy', 'delivery', 'what the policy changed'];

class TableRenderer implements ReportRenderer {
  private sample: string[][] | undefined = [];
  private widths: number[] = [];

  constructor(private readonly out: TextSink) {}

  row({ item: i }: Row): void {
    const cells = [i.time, i.channel, i.kind, i.flow_run_id.slice(0, 12), i.policy, delivery(i), changes(i)].map(visible);
    if (this.sample === undefined) {
      this.out.write(this.line(cells) + '\n');
      return;
    }
    this.sample.push(cells);
    if (this.sample.length >= TABLE_SAMPLE) this.start();
  }

  end(tail: ReportTail): void {
    if (this.sample !== undefined) this.start();
    this.out.write(['', ...summaryLines(tail)].join('\n') + '\n');
  }

  /** Column widths from the rows so far (at most 60), then the header and those rows. */
  private start(): void {
    const sample = this.sample!;
    this.widths = TABLE_HEADER.map((h, c) => {
      let w = h.length;
      for (const row of sample) if (row[c]!.length > w) w = row[c]!.length;
      return Math.min(60, w);
    });
    const lines = [this.line(TABLE_HEADER)];
    for (const row of sample) lines.push(this.line(row));
    this.out.write(lines.join('\n') + '\n');
    this.sample = undefined;
  }

  private line(cells: string[]): string {
    return cells.map((x, c) => (c === cells.length - 1 ? x : x.padEnd(this.widths[c]!))).join('  ');
  }
}

/** The summary and verdict lines of the table format. */
function summaryLines(r: ReportTail): string[] {
  const v = verdictOf(r);
  const listed = r.verification.problems.length;
  const total = r.verification.problems_total ?? listed;
  return [
    `items: ${r.summary.items}, bytes: ${r.summary.bytes}, unacked: ${r.summary.unacked.length + (r.summary.unacked_omitted ?? 0)}, blocked: ${r.summary.blocked}, refused: ${r.summary.refused}`,
    ...r.refusals.map((x) => `  refused by ${visible(x.by)} at ${visible(x.time)}: ${x.count} item(s), ${visible(x.reason)}`),
    ...((r.refusals_omitted ?? 0) > 0 ? [`  (${r.refusals_omitted} more refusals not listed)`] : []),
    `per channel: ${Object.entries(r.summary.per_channel).map(([c, x]) => `${visible(c)} ${x.items}`).join(', ') || '-'}`,
    `findings: ${Object.entries(r.summary.findings_per_detector).map(([d, n]) => `${visible(d)} ${n}`).join(', ') || '-'}`,
    `policies: ${r.summary.policies.map((p) => visible(`${p.name}@${p.version} (${p.sha256.slice(0, 12)})`)).join(', ') || '-'}`,
    ...(r.fleet === undefined ? [] : [fleetLine(r)]),
    `verification: ${visible(v.headline)}`,
    ...v.notes.map((n) => `  ${visible(n)}`),
    ...r.verification.problems.map((p) => `  ${visible(`${p.ledger ?? ''}: ${p.message}`)}`),
    ...(total > listed ? [`  (listing stopped after ${listed} problems: ${total - listed} more were found; each ledger's count is in --format json)`] : []),
  ];
}

/** The fleet in one line: ledgers per verdict, and the first of those that did not pass. */
function fleetLine(r: ReportTail): string {
  const f = r.fleet!;
  const statuses = Object.entries(f.by_status).map(([s, n]) => `${n} ${s}`).join(', ');
  const failing = f.not_ok.length === 0 ? '' : `; not passing: ${f.not_ok.slice(0, 10).map(visible).join(', ')}${f.not_ok.length > 10 ? `, … (${f.not_ok.length} listed in --format json)` : ''}`;
  return `ledgers: ${f.ledgers} (${statuses}), ${f.entries} entries, items ordered by ${f.order}${failing}`;
}

class NdjsonRenderer implements ReportRenderer {
  /** Writes text known to be ASCII. */
  private readonly ascii: (text: string) => void;

  constructor(private readonly out: TextSink) {
    this.ascii = out.writeAscii !== undefined ? (text) => out.writeAscii!(text) : (text) => out.write(text);
  }

  row({ item, json }: Row): void {
    if (json !== undefined) {
      // Made from an ASCII line (rows.ts).
      this.ascii('{"record":"item",');
      this.ascii(json.slice(1));
      this.ascii(`,"acked":${item.acked},"blocked":${item.blocked}}\n`);
      return;
    }
    this.out.write(jsonVisible('{"record":"item",' + JSON.stringify(item).slice(1)) + '\n');
  }

  end(tail: ReportTail): void {
    const lines: string[] = [];
    for (const l of tail.ledgers) lines.push(jsonVisible(JSON.stringify({ record: 'ledger', ...l })));
    const { ledgers: _ledgers, ...rest } = tail;
    lines.push(jsonVisible(JSON.stringify({ record: 'report', ...rest })));
    this.out.write(lines.join('\n') + '\n');
  }
}

class JsonRenderer implements ReportRenderer {
  private first = true;

  constructor(
    private readonly out: TextSink,
    head: Pick<Report, 'generated_at' | 'filters'>,
  ) {
    out.write(`{\n  "format_version": 1,\n  "generated_at": ${JSON.stringify(head.generated_at)},\n  "filters": ${indent(jsonVisible(JSON.stringify(head.filters, null, 2)))},\n  "items": [`);
  }

  row({ item, json }: Row): void {
    this.out.write(this.first ? '\n    ' : ',\n    ');
    this.first = false;
    if (json !== undefined) {
      this.out.write(json);
      this.out.write(`,"acked":${item.acked},"blocked":${item.blocked}}`);
      return;
    }
    this.out.write(jsonVisible(JSON.stringify(item)));
  }

  end(tail: ReportTail): void {
    const { format_version: _v, generated_at: _g, filters: _f, ...rest } = tail;
    const fields = Object.entries(rest).map(([k, v]) => `  ${JSON.stringify(k)}: ${indent(jsonVisible(JSON.stringify(v, null, 2)))}`);
    this.out.write(`${this.first ? '' : '\n  '}],\n${fields.join(',\n')}\n}\n`);
  }
}

/** JSON.stringify(v, null, 2) nested one level (its lines after the first indented by two spaces). */
function indent(json: string): string {
  return json.replaceAll('\n', '\n  ');
}

class MarkdownRenderer implements ReportRenderer {
  private readonly rows: string[] = [];
  private size = 0;
  private file: LineWriter | undefined;
  private fileName: string | undefined;
  private count = 0;

  constructor(
    private readonly out: TextSink,
    private readonly tmpDir: string | undefined,
  ) {}

  row({ item: i }: Row): void {
    const md = markdownText;
    const line = `| ${[i.time, i.channel, i.kind, i.flow_run_id, i.policy].map(md).join(' | ')} | ${i.acked ? 'acked' : i.blocked ? 'blocked' : '**unacked**'} | ${md(changes(i))} | ${md(i.payload_sha256.slice(0, 16))} |`;
    this.count++;
    if (this.file !== undefined) {
      this.file.line(line);
      return;
    }
    this.rows.push(line);
    this.size += line.length;
    if (this.size > MD_MEMORY && this.tmpDir !== undefined) {
      this.fileName = join(this.tmpDir, 'report-items.md');
      this.file = new LineWriter(this.fileName);
      for (const l of this.rows) this.file.line(l);
      this.rows.length = 0;
    }
  }

  end(r: ReportTail): void {
    const md = markdownText;
    const v = verdictOf(r);
    const listed = r.verification.problems.length;
    const total = r.verification.problems_total ?? listed;
    const out = [
      '# egress-guard audit report',
      '',
      `Generated ${md(r.generated_at)} from ${r.ledgers.length > 20 ? `${r.ledgers.length} ledgers (${r.ledgers.reduce((n, l) => n + l.entries, 0)} entries; each in --format json)` : r.ledgers.map((l) => `${md(l.dir)} (${l.entries} entries, ${l.checkpoints} checkpoints)`).join(', ')}.`,
      '',
      '## Verification',
      '',
      `**${md(v.headline)}**`,
      '',
      ...(r.fleet === undefined ? [] : [`- ${md(fleetLine(r))}`]),
      ...v.notes.map((n) => `- ${md(n)}`),
      ...r.verification.problems.map((p) => `- ${md(p.ledger !== undefined && r.ledgers.length > 1 ? `${p.ledger}: ${p.message}` : p.message)}`),
      ...(total > listed ? [`- listing stopped after ${listed} problems: ${total - listed} more were found`] : []),
      '',
      '## Summary',
      '',
      '| channel | items | bytes |',
      '| --- | ---: | ---: |',
      ...Object.entries(r.summary.per_channel).map(([c, x]) => `| ${md(c)} | ${x.items} | ${x.bytes} |`),
      '',
      '| detector or rule | findings |',
      '| --- | ---: |',
      ...Object.entries(r.summary.findings_per_detector).map(([d, n]) => `| ${md(d)} | ${n} |`),
      '',
      '| policy | sha256 | items |',
      '| --- | --- | ---: |',
      ...r.summary.policies.map((p) => `| ${md(`${p.name} v${p.version}`)} | ${md(p.sha256.slice(0, 16))} | ${p.items} |`),
      '',
      `Sent but never acknowledged: ${r.summary.unacked.length + (r.summary.unacked_omitted ?? 0)}. Blocked by a policy error: ${r.summary.blocked}. Refused before they left: ${r.summary.refused}.`,
      '',
      ...(r.refusals.length === 0
        ? []
        : ['## Refused', '', '| time | by | reason | items | ids |', '| --- | --- | --- | ---: | --- |', ...r.refusals.map((x) => `| ${[x.time, x.by, x.reason].map(md).join(' | ')} | ${x.count} | ${md(x.item_ids.join(', ') || '-')} |`), '']),
      '## Items',
      '',
      '| time | channel | kind | run | policy | delivery | what the policy changed | payload sha256 |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    this.out.write(out.join('\n') + '\n');
    if (this.file !== undefined) {
      this.file.close();
      // Copied a chunk at a time, as read: the rows were written by this renderer, one per line.
      let block: string[] = [];
      for (const ev of segmentLines(this.fileName!, { maxLineBytes: Number.MAX_SAFE_INTEGER })) {
        if (ev.type !== 'line') continue;
        block.push(ev.text);
        if (block.length >= 1024) {
          this.out.write(block.join('\n') + '\n');
          block = [];
        }
      }
      if (block.length > 0) this.out.write(block.join('\n') + '\n');
    } else if (this.rows.length > 0) this.out.write(this.rows.join('\n') + '\n');
  }
}

class HtmlRenderer implements ReportRenderer {
  private readonly rows: string[] = [];
  private omitted = 0;
  private lastShown: ReportItem | undefined;

  constructor(private readonly out: TextSink) {}

  row({ item: i }: Row): void {
    if (this.rows.length >= HTML_ITEMS) {
      this.omitted++;
      return;
    }
    this.rows.push(htmlRow(i));
    this.lastShown = i;
  }

  end(tail: ReportTail, chart?: ChartBars): void {
    const stopped =
      this.omitted === 0
        ? undefined
        : `This page lists the first ${HTML_ITEMS} of ${HTML_ITEMS + this.omitted} items (it stopped after ${this.lastShown!.ledger} entry ${this.lastShown!.seq}); the counts, the chart and the summaries above count every item. Every item: audit-report --format ndjson (or json, md).`;
    this.out.write(renderHtmlPage(tail, this.rows, chart, stopped));
  }
}
