/**
 * A policy's YAML text: parsed, with every syntax problem at its line and column, and a way to find where
 * any node of the document is (for the loader's messages). The yaml package loads on first use (it is
 * CommonJS, so synchronously): builtin policies come pre-parsed and never need it.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Document, Node as YamlNode, YAMLError } from 'yaml';
import type { PolicyIssue } from './errors.ts';

/** A step of a path into a policy document: a key, or an index in a list. */
export type PathKey = string | number;

/** Where a node is in the text; `key` points at a mapping's key rather than its value. */
export type Locate = (path: readonly PathKey[], at?: 'key' | 'value') => { line: number; col: number };

let yamlModule: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

/**
 * The document's data and how to locate its nodes, or every problem with its position.
 *
 * @example
 * const parsed = parseYamlPolicy('name: p\nversion: 1\n', 'p.yaml', 100);
 * if (!('issues' in parsed)) parsed.locate(['version']); // { line: 2, col: 10 }
 */
export function parseYamlPolicy(text: string, file: string, maxAliases: number): { data: unknown; locate: Locate } | { issues: PolicyIssue[] } {
  const issues: PolicyIssue[] = [];
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  for (const e of doc.errors) {
    const { offset, opens } = errorOffset(doc, e, text);
    issues.push({ file, ...at(offset), message: yamlMessage(e.message) + (opens === undefined ? '' : `; the ${opens} opened here is never closed`) });
  }
  // yaml only warns about some things that change what a policy means (an unknown tag such as
  // `!include` silently becomes a plain string): refuse those too.
  for (const w of doc.warnings) {
    if (w.code === 'BAD_INDENT') continue; // "Flow end indicator should be more indented": layout only
    issues.push({ file, ...at(Math.min(w.pos[0], lastOffset(text))), message: yamlWarningMessage(w) });
  }
  // toJS throws on an alias without an anchor, without saying where: find those first.
  for (const alias of unresolvedAliases(doc)) {
    issues.push({
      file,
      ...at(alias.offset),
      message: `YAML error: Unresolved alias *${alias.name}: no anchor &${alias.name} is set before it; put the anchor on an earlier value, or write the value out`,
    });
  }
  if (issues.length > 0) return { issues };
  try {
    return { data: doc.toJS({ maxAliasCount: maxAliases }), locate: (p, where = 'value') => locateNode(doc, p, where, at) };
  } catch (err) {
    const message = (err as Error).message;
    const limit = /Excessive alias count/.test(message) ? ` (aliases are limited to ${maxAliases})` : '';
    return { issues: [{ file, line: 1, col: 1, message: `${message}${limit}` }] };
  }
}

function locateNode(
  doc: Document,
  path: readonly PathKey[],
  at: 'key' | 'value',
  pos: (offset: number) => { line: number; col: number },
): { line: number; col: number } {
  // Walk as far as the document goes; report the deepest node found.
  let node: unknown = doc.contents;
  let best: YamlNode | undefined = yaml().isNode(node) ? node : undefined;
  for (const [i, key] of path.entries()) {
    const last = i === path.length - 1;
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => (yaml().isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(key));
      if (pair === undefined) break;
      if (last && at === 'key' && yaml().isNode(pair.key)) return pos(pair.key.range![0]);
      node = pair.value;
      if (yaml().isNode(pair.value)) best = pair.value;
      else if (yaml().isNode(pair.key)) best = pair.key;
    } else if (node !== null && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      const item = (node as { items: unknown[] }).items[Number(key)];
      if (item === undefined) break;
      node = item;
      if (yaml().isNode(item)) best = item;
    } else break;
  }
  return best?.range !== undefined && best.range !== null ? pos(best.range[0]) : { line: 1, col: 1 };
}

/** The offset of the last character that is on a line (an offset at the end of input is past the last line). */
function lastOffset(text: string): number {
  return text.replace(/[\r\n]+$/, '').length;
}

/** The yaml errors about something never closed, and the node that opens it. */
const UNCLOSED: { message: string; what: string; is: (n: YamlNode) => boolean }[] = [
  { message: 'Missing closing "quote', what: 'quoted string', is: (n) => yaml().isScalar(n) && n.type === 'QUOTE_DOUBLE' },
  { message: "Missing closing 'quote", what: 'quoted string', is: (n) => yaml().isScalar(n) && n.type === 'QUOTE_SINGLE' },
  { message: 'Flow map', what: 'flow map', is: (n) => yaml().isMap(n) && n.flow === true },
  { message: 'Flow sequence', what: 'flow sequence', is: (n) => yaml().isSeq(n) && n.flow === true },
];

/**
 * Where a yaml error is reported. An unclosed quote or flow collection is found at the end of input, past
 * the last line: point at the quote or bracket that opens it instead (the innermost one still open there).
 */
function errorOffset(doc: Document, e: YAMLError, text: string): { offset: number; opens?: string } {
  const offset = e.pos[0];
  if (offset < text.length) return { offset: Math.min(offset, lastOffset(text)) };
  const kind = UNCLOSED.find((u) => e.message.startsWith(u.message));
  let open: number | undefined;
  if (kind !== undefined) {
    yaml().visit(doc, (_key, node) => {
      if (!yaml().isNode(node) || !node.range || node.range[1] < text.length || !kind.is(node)) return;
      if (open === undefined || node.range[0] > open) open = node.range[0];
    });
  }
  return open !== undefined ? { offset: open, opens: kind!.what } : { offset: lastOffset(text) };
}

/** Aliases with no anchor of their name before them (in document order, as yaml resolves them). */
function unresolvedAliases(doc: Document): { name: string; offset: number }[] {
  const anchors = new Set<string>();
  const out: { name: string; offset: number }[] = [];
  yaml().visit(doc, (_key, node) => {
    if (yaml().isAlias(node)) {
      if (!anchors.has(node.source)) out.push({ name: node.source, offset: node.range?.[0] ?? 0 });
    } else if (yaml().isNode(node) && node.anchor !== undefined) {
      anchors.add(node.anchor);
    }
  });
  return out;
}

function yamlWarningMessage(w: YAMLError): string {
  const message = w.message.split('\n')[0]!;
  if (w.code === 'TAG_RESOLVE_FAILED') {
    return `YAML error: ${message}; remove the tag: policies are plain YAML (they do not include other files; to build on another policy, use extends)`;
  }
  if (w.code === 'BAD_DIRECTIVE') return `YAML error: ${message}; remove the directive`;
  return `YAML error: ${message}; rewrite it so that the YAML is unambiguous`;
}

function yamlMessage(message: string): string {
  return `YAML syntax error: ${message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
}
