/**
 * Kubernetes Secret manifests: the base64 values under `data:` of a `kind: Secret` object, in YAML, whether
 * `kind:` comes before `data:` (as written by hand) or after it (as `kubectl get -o yaml` sorts the keys).
 * All example values are fake.
 */
import type { DetectorSpec } from '../types.ts';

const r = String.raw;

const NL = r`\r?\n`;
/** `kind: Secret` on its own line. */
const KIND_SECRET = r`kind:[ \t]{1,3}["']?Secret["']?[ \t]{0,8}`;
/**
 * Up to 20 other lines between `kind: Secret` and `data:`: indented (inside metadata), empty, or a top-level
 * key that starts with neither `d` nor `k`: no line is both one of them and the `data:` line, and no scan
 * runs on past the next top-level `kind:` (each starts at the beginning of a line).
 */
const OTHER_LINES = otherLines('dk');
/** The same before `stringData:`: no top-level line starting with `s` or `k` (the stringData and kind lines). */
const OTHER_LINES_BEFORE_STRING_DATA = otherLines('sk');

function otherLines(notFirst: string): string {
  return r`(?:(?:[ \t][^\r\n]{0,120}|[^\s${notFirst}][^\r\n]{0,120})?${NL}){0,20}?`;
}
/** `data:` at the top level, on its own line. */
const DATA = r`data:[ \t]{0,8}${NL}`;
/** Top-level lines only (never a value line) between the data block and `kind:` in sorted output (`immutable:`). */
const TOP_LINES = r`(?:[^\s][^\r\n]{0,120}${NL}){0,3}?`;
/** `stringData:` at the top level, on its own line: its values are the secrets in plain text. */
const STRING_DATA = r`stringData:[ \t]{0,8}${NL}`;
/**
 * The block of `  key: value` lines under `stringData:`: any text, quoted or not (not a placeholder). A value
 * starts with no space: otherwise each line could split its spaces two ways, and lines multiply them.
 */
const PLAIN_VALUES = r`(?:[ \t]{1,16}[A-Za-z0-9_.-]{1,253}:[ \t]{1,3}(?!["']?(?:\$\{|\{\{|<))[^\s][^\r\n]{0,1023}(?:${NL}|$)){1,64}`;
/** The block of `  key: base64` lines under `data:`; each line ends at a line break or the end of the text. */
const VALUES = r`(?:[ \t]{1,16}[A-Za-z0-9_.-]{1,253}:[ \t]{1,3}["']?[A-Za-z0-9+/]{4,8192}={0,2}["']?[ \t]{0,8}(?:${NL}|$)){1,64}`;

export const KUBERNETES_DETECTORS: DetectorSpec[] = [
  {
    id: 'kubernetes-secret-data',
    description: 'Base64 values under data: of a Kubernetes Secret manifest (kind: Secret before data:): the value lines',
    tags: ['secret', 'infra', 'kubernetes'],
    pattern: r`(?:^|${NL})${KIND_SECRET}${NL}${OTHER_LINES}${DATA}(${VALUES})`,
    keywords: ['kind:'],
    group: 1,
    examples: {
      positive: [
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\ndata:\n  username: YXBwLXVzZXI=\n  password: K0JHV0FwY0FoaUR1UDZmMQ==\n',
        '---\nkind: "Secret"\nmetadata:\n  name: api\n  namespace: prod\ndata:\n  token: NlZPNVdIOC9TbE1VQU9NRkhQSFpEdjBj\n---\nkind: Service',
      ],
      negative: [
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: cHJvZHVjdGlvbg==\n',
        'kind: Secret\nmetadata:\n  name: db-credentials\nstringData: {}\n',
      ],
    },
  },
  {
    id: 'kubernetes-secret-data-sorted',
    description: 'Base64 values under data: of a Kubernetes Secret manifest printed with sorted keys (data: before kind: Secret, as kubectl get -o yaml prints it): the value lines',
    tags: ['secret', 'infra', 'kubernetes'],
    // `kind: Secret` may end the text or be followed by more on its line (a log line's suffix).
    // `data:` may follow other text on its line (`dump: data:`, a log line's prefix, the quote that opens a
    // JSON string once its escapes are read), never a word (`metadata:`).
    pattern: r`(?<![\w.-])${DATA}(${VALUES})${TOP_LINES}kind:[ \t]{1,3}["']?Secret(?![\w-])`,
    keywords: ['kind:'],
    group: 1,
    examples: {
      positive: [
        'kubectl get secret db -o yaml\napiVersion: v1\ndata:\n  password: NXh0aXBDYzBBR0NEaHVhNGVZMGM=\n  username: YWRtaW4=\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\n',
        'data:\n  tls.key: K0JHV0FwY0FoaUR1UDZmMSs2Vk81V0g4L1NsTVVBT01GSFBIWkR2MGM=\nkind: Secret\n',
        // As a JSON string reads once its escapes are decoded: the value starts right after the quote.
        'manifest {"yaml":"data:\n  token: NlZPNVdIOC9TbE1VQU9NRkhQSFpEdjBjUmhBcQ==\nkind: Secret\n"}',
      ],
      negative: [
        'apiVersion: v1\ndata:\n  mode: cHJvZHVjdGlvbg==\nkind: ConfigMap\n',
        'data:\n  password: ${DB_PASSWORD}\nkind: Secret\n',
      ],
    },
  },
  {
    id: 'kubernetes-secret-string-data',
    // Only as written by hand, kind first: the API server turns stringData into data, so `kubectl get`
    // never prints it (no sorted variant, unlike data:).
    description: 'Plain-text values under stringData: of a Kubernetes Secret manifest (kind: Secret before stringData:): the value lines',
    tags: ['secret', 'infra', 'kubernetes'],
    pattern: r`(?:^|${NL})${KIND_SECRET}${NL}${OTHER_LINES_BEFORE_STRING_DATA}${STRING_DATA}(${PLAIN_VALUES})`,
    keywords: ['stringdata:'],
    group: 1,
    examples: {
      positive: [
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\ntype: Opaque\nstringData:\n  password: correct horse battery staple\n  api-url: https://user:Wk4pZ9qL@api.internal\n',
        '---\nkind: "Secret"\nmetadata:\n  name: smtp\n  namespace: mail\nstringData:\n  smtp-password: "Tr0ub4dor&3-x"\n',
      ],
      negative: [
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\nstringData:\n  mode: production\n',
        'kind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${DB_PASSWORD}\n',
      ],
    },
  },
];
