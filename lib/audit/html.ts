/**
 * The HTML audit report: one self-contained page (inline CSS and SVG, no script, no external asset) that
 * an auditor can open or attach: verdict, summaries, a chart of outbound items per channel over time,
 * findings per detector, policy versions, and every item. A Content-Security-Policy allows nothing but its
 * own stylesheet, and every value from the ledger is escaped (the ledger is input, whoever wrote it).
 */
import { createHash } from 'node:crypto';
import { verdictOf, visible, type Report, type ReportItem } from './report.ts';
import { TimeHistogram, type ChartBars } from './summary.ts';

const COLORS: ReadonlyMap<string, string> = new Map(Object.entries({ parameters: '#1f77b4', logs: '#2ca02c', exceptions: '#d62728', locations: '#9467bd', metadata: '#7f7f7f' }));

/** The page's one stylesheet: inline, and allowed by the Content-Security-Policy through its hash. */
const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1b1f24;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.muted{color:#57606a}.verdict{padding:.8rem 1rem;border-radius:6px;font-weight:600;margin:1rem 0}
.ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#a40e26}.warn{background:#fff8c5;color:#7d4e00}.neutral{background:#f6f8fa}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.4rem}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
`;

/**
 * What the page may load or run: nothing but its own stylesheet. No script, no image, no font, no frame,
 * no form, no base URL: even markup that slipped past escaping could neither run nor call out.
 */
export const REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'`;

/**
 * The report as one self-contained HTML page, with the verdict of `verdictOf` (green only for what was
 * proven) and every value from the ledger escaped.
 *
 * @example
 * writeFileSync('report.html', renderHtml(report));
 */
export function renderHtml(r: Report): string {
  const chart = new TimeHistogram();
  const rows: string[] = [];
  for (const i of r.items) {
    rows.push(htmlRow(i));
    const t = Date.parse(i.time);
    if (Number.isFinite(t)) chart.add(t, i.channel);
  }
  const { items: _items, ...tail } = r;
  return renderHtmlPage(tail, rows, chart.bars(BUCKETS));
}

/**
 * One item as a row of the page's Items table, every value escaped.
 *
 * @example htmlRow(report.items[0]) // '<tr><td>2026-11-24T00:00:00.000Z</td>…</tr>'
 */
export function htmlRow(i: ReportItem): string {
  return cellsRow([i.time, i.channel, i.kind, i.flow_run_id, i.policy, i.acked ? 'acked' : i.blocked ? 'blocked' : 'UNACKED', i.blocked ? 'placeholder sent' : i.findings.map((f) => `${f.path}: ${f.detector} -> ${f.action}`).join('; ') || '-', i.payload_sha256.slice(0, 16)]);
}

function cellsRow(c: (string | number)[]): string {
  return `<tr>${c.map((x) => `<td>${text(String(x))}</td>`).join('')}</tr>`;
}

/**
 * The page around its items: the report without them (`tail`), the Items table's rows (htmlRow), the
 * chart's counts (`chart`, from every item, listed or not), and, when the page lists fewer items than the
 * report has, where it stopped (`stopped`).
 *
 * @example renderHtmlPage(tail, report.items.map(htmlRow), histogram.bars(24))
 */
export function renderHtmlPage(r: Omit<Report, 'items'>, itemRows: readonly string[], chartBars: ChartBars | undefined, stopped?: string): string {
  const v = verdictOf(r);
  const rows = (cells: (string | number)[][]) => cells.map(cellsRow).join('\n');
  const listedProblems = r.verification.problems.length;
  const totalProblems = r.verification.problems_total ?? listedProblems;
  const listed = [
    ...(r.fleet === undefined ? [] : [`ledgers: ${r.fleet.ledgers} (${Object.entries(r.fleet.by_status).map(([s, n]) => `${n} ${s}`).join(', ')})${r.fleet.not_ok.length > 0 ? `; not passing: ${r.fleet.not_ok.slice(0, 10).join(', ')}${r.fleet.not_ok.length > 10 ? ', …' : ''}` : ''}`]),
    ...v.notes,
    ...r.verification.problems.map((p) => (p.ledger !== undefined && r.ledgers.length > 1 ? `${p.ledger}: ${p.message}` : p.message)),
    ...(totalProblems > listedProblems ? [`listing stopped after ${listedProblems} problems: ${totalProblems - listedProblems} more were found`] : []),
  ];
  const unacked = r.summary.unacked.length + (r.summary.unacked_omitted ?? 0);
  const from = r.ledgers.length > 20 ? `${r.ledgers.length} ledgers (${r.ledgers.reduce((n, l) => n + l.entries, 0)} entries)` : r.ledgers.map((l) => `<code>${text(l.dir)}</code> (${l.entries} entries, ${l.checkpoints} checkpoints)`).join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<title>egress-guard audit report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head><body>
<h1>egress-guard audit report</h1>
<div class="muted">Generated ${text(r.generated_at)} from ${from}</div>
<div class="verdict ${v.tone}" id="verdict" data-status="${v.status}">${text(v.headline)}</div>
${listed.length > 0 ? `<ul id="problems">${listed.map((m) => `<li>${text(m)}</li>`).join('')}</ul>` : ''}
<div class="cards">
<div class="card"><b>${r.summary.items}</b>items sent</div>
<div class="card"><b>${r.summary.bytes}</b>bytes</div>
<div class="card"><b>${unacked}</b>never acknowledged</div>
<div class="card"><b>${r.summary.blocked}</b>blocked (policy error)</div>
<div class="card"><b>${r.summary.refused}</b>refused before they left</div>
</div>
${r.refusals.length === 0 ? '' : `<h2>Refused</h2>
<table id="refused"><tr><th>time</th><th>by</th><th>reason</th><th>items</th><th>ids</th></tr>
${rows(r.refusals.map((x) => [x.time, x.by, x.reason, x.count, x.item_ids.join(', ') || '-']))}</table>`}
<h2>Outbound items per channel over time</h2>
${chart(r, chartBars)}
<h2>Per channel</h2>
<table><tr><th>channel</th><th>items</th><th>bytes</th></tr>
${rows(Object.entries(r.summary.per_channel).map(([c, x]) => [c, x.items, x.bytes]))}</table>
<h2>Findings per detector or rule</h2>
<table><tr><th>detector or rule</th><th>findings</th></tr>
${rows(Object.entries(r.summary.findings_per_detector).sort((a, b) => b[1] - a[1]))}</table>
<h2>Policy versions</h2>
<table><tr><th>policy</th><th>version</th><th>sha256</th><th>items</th></tr>
${rows(r.summary.policies.map((p) => [p.name, p.version, p.sha256, p.items]))}</table>
<h2>Items</h2>
${stopped === undefined ? '' : `<p class="muted" id="items-stopped">${text(stopped)}</p>\n`}<table><tr><th>time</th><th>channel</th><th>kind</th><th>run</th><th>policy</th><th>delivery</th><th>what the policy changed</th><th>payload sha256</th></tr>
${itemRows.join('\n')}
</table>
</body></html>
`;
}

const BUCKETS = 24;

/** Stacked bars of items per channel in time buckets, as inline SVG (no inline style: the CSP allows none). */
function chart(r: Omit<Report, 'items'>, bars: ChartBars | undefined): string {
  // An item whose time does not parse (a ledger edited by hand) is left out of the chart, not the tables.
  if (bars === undefined) return `<p class="muted">No items${r.summary.items > 0 ? ' with a valid time' : ''}.</p>`;
  const { min, max, counts } = bars;
  const buckets = counts.length;
  const channels = Object.keys(r.summary.per_channel);
  let peak = 1;
  for (const c of counts) {
    let sum = 0;
    for (const n of c.values()) sum += n;
    if (sum > peak) peak = sum;
  }
  const w = 960;
  const h = 220;
  const bw = w / buckets;
  const color = (ch: string) => COLORS.get(ch) ?? '#444';
  let bars_ = '';
  counts.forEach((c, b) => {
    let y = h;
    for (const ch of channels) {
      const bh = ((c.get(ch) ?? 0) / peak) * (h - 20);
      if (bh === 0) continue;
      y -= bh;
      bars_ += `<rect x="${(b * bw + 2).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${bh.toFixed(1)}" fill="${color(ch)}"><title>${text(ch)}: ${c.get(ch)}</title></rect>`;
    }
  });
  const legend = channels.slice(0, 64).map((c, k) => `<rect x="${k * 130}" y="${h + 14}" width="12" height="12" fill="${color(c)}"/><text x="${k * 130 + 18}" y="${h + 25}" font-size="12">${text(c)}</text>`).join('');
  return `<svg id="chart" role="img" aria-label="items per channel over time" viewBox="0 0 ${w} ${h + 36}" width="100%">${bars_}<line x1="0" y1="${h}" x2="${w}" y2="${h}" stroke="#888"/>${legend}
<text x="0" y="12" font-size="11" fill="#57606a">${text(new Date(min).toISOString())} to ${text(new Date(max).toISOString())}, peak ${peak} per bucket</text></svg>`;
}

/** Text for HTML: control characters written out (visible), then every character HTML treats specially escaped. */
function text(s: string): string {
  return visible(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
