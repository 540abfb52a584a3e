/**
 * A realistic log corpus for the benchmarks: mostly clean application log lines (timestamps, request
 * paths, ids, durations, UUIDs, versions), with about 5% carrying a secret or personal data. Seeded, so
 * every run scrubs the same lines. All secrets here are fake.
 */
export function rng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

export function corpus(lines: number, seed = 42, sensitiveShare = 0.05): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chars = (alphabet: string, n: number): string => Array.from({ length: n }, () => pick(alphabet.split(''))).join('');
  const uuid = () => `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-a${chars(HEX, 3)}-${chars(HEX, 12)}`;
  const ts = () => new Date(Date.UTC(2026, 10, 23, 0, 0, 0) + Math.floor(r() * 86_400_000)).toISOString();
  const level = () => pick(['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']);

  const clean: (() => string)[] = [
    () => `${ts()} ${level()} http GET /api/v1/orders/${Math.floor(r() * 1e6)} 200 ${Math.floor(r() * 300)}ms req=${uuid()}`,
    () => `${ts()} ${level()} worker job=${pick(['extract', 'transform', 'load', 'report'])} batch=${Math.floor(r() * 1000)} rows=${Math.floor(r() * 1e5)} took ${(r() * 10).toFixed(2)}s`,
    () => `${ts()} ${level()} cache hit ratio ${(r() * 100).toFixed(1)}% keys=${Math.floor(r() * 5000)} evicted=${Math.floor(r() * 50)}`,
    () => `${ts()} ${level()} deploy version v${Math.floor(r() * 5)}.${Math.floor(r() * 20)}.${Math.floor(r() * 50)} commit ${chars(HEX, 40)} by ci`,
    () => `${ts()} ${level()} order ORD-2026-${String(Math.floor(r() * 1e6)).padStart(6, '0')} state=${pick(['created', 'paid', 'shipped'])} items=${Math.floor(r() * 9) + 1}`,
    () => `${ts()} ${level()} scheduler: flow nightly-etl run ${uuid()} transitioned Running -> Success`,
    () => `${ts()} ${level()} db pool size=${Math.floor(r() * 20)} idle=${Math.floor(r() * 10)} waiting=0 latency_p99=${Math.floor(r() * 900)}ms`,
    () => `${ts()} ${level()} downloaded sha256:${chars(HEX, 64)} (${Math.floor(r() * 9000)} kB) in ${Math.floor(r() * 2000)}ms`,
  ];
  const sensitive: (() => string)[] = [
    () => `${ts()} INFO auth using token ghp_${chars(ALNUM, 36)} for repo sync`,
    () => `${ts()} WARN retrying with AWS key AKIA${chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    () => `${ts()} INFO notify user ${pick(['alice', 'bob', 'carol'])}.${pick(['smith', 'jones'])}@example.com about order`,
    () => `${ts()} ERROR connect postgres://etl:${chars(ALNUM, 14)}@db.internal:5432/prod failed`,
    () => `${ts()} DEBUG headers Authorization: Bearer ${chars(ALNUM, 32)}`,
    () => `${ts()} INFO slack webhook https://hooks.slack.com/services/T${chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8)}/B${chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8)}/${chars(ALNUM, 24)}`,
    () => `${ts()} INFO call customer at +1 415-555-${String(Math.floor(r() * 9000) + 1000)}`,
    () => `${ts()} INFO payment card 4111 1111 1111 1111 declined`,
    () => `${ts()} INFO request params password=${chars(ALNUM, 12)}&user=x`,
    () => `${ts()} DEBUG openai key sk-proj-${chars(ALNUM, 48)}`,
  ];
  return Array.from({ length: lines }, () => (r() < sensitiveShare ? pick(sensitive)() : pick(clean)()));
}

/**
 * The lines that cost a scanner most, as real services log them: request logs full of UUIDs, 40- and
 * 64-hex digests, `ip-10-0-x-y` host names, IPs and ISO times; JSON lines; stack traces; base64 ids; lines
 * with no letters at all. About 5% carry a secret or personal data (the same sensitive lines as `corpus`).
 * Seeded.
 *
 * @example const lines = realWorldCorpus(200_000);
 */
export function realWorldCorpus(lines: number, seed = 7, sensitiveShare = 0.05): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chars = (alphabet: string, n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
    return s;
  };
  const uuid = () => `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-a${chars(HEX, 3)}-${chars(HEX, 12)}`;
  const ts = () => new Date(Date.UTC(2026, 10, 23, 0, 0, 0) + Math.floor(r() * 86_400_000)).toISOString();
  const ip = () => `10.0.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  const host = () => `ip-10-0-${Math.floor(r() * 256)}-${Math.floor(r() * 256)}`;
  const n = (max: number) => Math.floor(r() * max);
  const B64 = ALNUM + '+/';
  const clean: (() => string)[] = [
    () => `${ts()} INFO ${host()} GET /api/v2/accounts/${uuid()}/orders/${uuid()}?page=${n(50)} 200 ${n(900)}ms trace=${chars(HEX, 32)} span=${chars(HEX, 16)}`,
    () => `${ts()} INFO ${host()} artifact sha256:${chars(HEX, 64)} layer ${chars(HEX, 40)} pulled from ${ip()}:5000`,
    () => `${ts()} DEBUG ${host()} cache set key=${chars(HEX, 40)} ttl=${n(3600)} size=${n(1e6)}`,
    () => JSON.stringify({ ts: ts(), level: 'info', host: host(), req_id: uuid(), user_id: uuid(), path: `/v1/items/${n(1e7)}`, status: 200, dur_ms: n(500), bytes: n(1e6) }),
    () => JSON.stringify({ time: ts(), lvl: 'debug', msg: 'etag match', etag: `"${chars(HEX, 32)}"`, object: `s3://bucket-prod/${uuid()}/${chars(HEX, 16)}.parquet` }),
    () => `${n(1e9)} ${n(1e6)}.${n(1000)} ${n(100)} ${n(100)} ${n(1e5)} -- ${n(256)}.${n(256)}.${n(256)}.${n(256)} ${n(65536)}`,
    () => `${ts()} ${n(1e6)} ${(r() * 100).toFixed(3)} ${(r() * 100).toFixed(3)} ${n(1e4)}/${n(1e4)}`,
    () => `${ts()} INFO ${host()} upload id=${chars(B64, 22)}== part=${n(100)} etag=${chars(HEX, 32)}`,
    () => `    at ${pick(['OrderService', 'Repo', 'Handler'])}.${pick(['load', 'save', 'run'])} (/srv/app/dist/${pick(['orders', 'users'])}/service.js:${n(900)}:${n(80)})`,
    () => `${ts()} WARN ${host()} slow query ${n(5000)}ms plan=${chars(HEX, 16)} rows=${n(1e6)} conn=${ip()}:5432 session=${uuid()}`,
    () => `${ts()} INFO kube pod ${pick(['api', 'worker'])}-${chars('bcdfghjklmnpqrstvwxz2456789', 10)}-${chars('bcdfghjklmnpqrstvwxz2456789', 5)} node ${host()}.ec2.internal ready`,
  ];
  const sensitiveLines = corpus(Math.max(1, Math.ceil(lines * sensitiveShare * 2)), seed + 1, 1);
  let s = 0;
  return Array.from({ length: lines }, () => (r() < sensitiveShare ? sensitiveLines[s++ % sensitiveLines.length]! : pick(clean)()));
}
