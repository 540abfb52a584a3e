/**
 * A corpus of broken policies (test/hardening/bad-policies/, one file per problem, named for it). Each one
 * must be refused by the loader `egress-guard policy lint` uses, with every issue positioned inside its
 * file, the expected issue at the expected LINE:COL, and a message that says what is wrong and what to do.
 * The expectations are the CASES table below; a corpus file without an entry fails.
 */
import { assert } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintPolicyFiles } from '../../lib/policy/lint.ts';
import type { PolicyIssue } from '../../lib/policy/errors.ts';
import { REPO, run } from '../helpers/cli.ts';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), 'bad-policies');
const CLI = join(REPO, 'dist/lib/cli/egress-guard.js');
const MIN_REFUSALS = 60;
/** The message of an extends cycle through these corpus files. */
const cycle = (...files: string[]) => `extends cycle: ${files.map((f) => join(CORPUS, f)).join(' -> ')}; remove one of these extends`;

/** Key-looking values planted in corpus files: no message may contain them. */
const LITERAL_KEY = 'k9Xq2mWx7LpZ4vN8sB3cD6fG1hJ5kM0yQeTrUa';
const INLINE_JWK_K = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
/** The variable `file:${EG_CORPUS_KEY_DIR}/...` key references expand, pointed at a directory that does not exist. */
const KEY_DIR = { EG_CORPUS_KEY_DIR: '/nonexistent-egress-guard-corpus/keys' };

interface Case {
  /** LINE:COL of the expected issue (1-based). */
  at: string;
  /** A distinctive part of its message. */
  says: string;
  /** The file the issue is in, as reported, when it is not the corpus file itself (extends). */
  in?: string;
  /** Variables set (or, when undefined, unset) while the policy loads; restored afterwards. */
  env?: Record<string, string | undefined>;
  /** A key-looking value in the file that no message may contain. */
  secret?: string;
  /** Also run through the built CLI: exit 2 and `FILE:LINE:COL: message` on stderr. */
  cli?: true;
}

const CASES: Record<string, Case> = {
  // YAML and JSON syntax
  'yaml-tab-indent.yaml':                  { at: '4:1', says: 'Tabs are not allowed as indentation', cli: true },
  'yaml-unclosed-single-quote.yaml':       { at: '5:12', says: "Missing closing 'quote" },
  'yaml-unclosed-double-quote.yaml':       { at: '3:14', says: 'Missing closing "quote' },
  'yaml-unclosed-flow-sequence.yaml':      { at: '4:1', says: 'must be sufficiently indented and end with a ]' },
  'yaml-unclosed-flow-map.yaml':           { at: '7:7', says: 'must be sufficiently indented and end with a }' },
  'yaml-bad-indentation.yaml':             { at: '6:1', says: 'All mapping items must start at the same column' },
  'yaml-mapping-in-scalar.yaml':           { at: '3:14', says: 'Nested mappings are not allowed in compact mappings' },
  'yaml-multiline-implicit-key.yaml':      { at: '3:1', says: 'Implicit keys need to be on a single line' },
  'yaml-duplicate-key-nested.yaml':        { at: '7:5', says: 'Map keys must be unique' },
  'yaml-duplicate-detector-id.yaml':       { at: '6:3', says: 'Map keys must be unique' },
  'yaml-duplicate-key-flow.yaml':          { at: '5:43', says: 'Map keys must be unique' },
  'yaml-billion-laughs.yaml':              { at: '1:1', says: 'Excessive alias count indicates a resource exhaustion attack (aliases are limited to 100)' },
  'yaml-alias-undefined.yaml':             { at: '5:13', says: 'Unresolved alias' },
  'yaml-unknown-tag.yaml':                 { at: '3:14', says: 'Unresolved tag: !include' },
  'yaml-trailing-garbage.yaml':            { at: '3:37', says: 'Unexpected flow-map-end token' },
  'yaml-second-document.yaml':             { at: '3:1', says: 'Source contains multiple documents' },
  'yaml-empty-file.yaml':                  { at: '1:1', says: 'policy root: must be object' },
  'yaml-only-comments.yaml':               { at: '1:1', says: 'policy root: must be object' },
  'yaml-top-level-scalar.yaml':            { at: '1:1', says: 'policy root: must be object' },
  'yaml-top-level-list.yaml':              { at: '1:1', says: 'policy root: must be object' },
  'yaml-crlf-wrong-type.yaml':             { at: '6:11', says: 'channels.logs.ship: must be boolean' },
  'json-unclosed-brace.json':              { at: '1:1', says: 'Flow map must end with a }' },
  'json-missing-comma.json':               { at: '3:14', says: 'Implicit keys need to be on a single line' },
  'json-duplicate-key.json':               { at: '4:44', says: 'Map keys must be unique', cli: true },
  'json-trailing-garbage.json':            { at: '5:1', says: 'Unexpected flow-map-end token' },
  'json-top-level-array.json':             { at: '1:1', says: 'policy root: must be object' },
  'json-wrong-type.json':                  { at: '5:23', says: 'channels.logs.ship: must be boolean' },
  'json-misspelled-key.json':              { at: '5:21', says: 'unknown key "stak" in channels.exceptions (did you mean "stack"?)' },

  // Schema
  'schema-unknown-top-level-key.yaml':     { at: '3:1', says: 'unknown key "owner" in policy root; allowed: $schema, name, version' },
  'schema-misspelled-detectors.yaml':      { at: '3:1', says: 'unknown key "detecters" in policy root (did you mean "detectors"?)' },
  'schema-misspelled-level.yaml':          { at: '5:5', says: 'unknown key "levle" in channels.logs (did you mean "level"?)' },
  'schema-misspelled-field-rule-key.yaml': { at: '6:32', says: 'unknown key "actoin" in channels.parameters.fields[0] (did you mean "action"?)' },
  'schema-missing-name.yaml':              { at: '1:1', says: 'missing required key "name" in policy root' },
  'schema-missing-version.yaml':           { at: '1:1', says: 'missing required key "version" in policy root' },
  'schema-bad-name.yaml':                  { at: '1:7', says: 'name: must match pattern' },
  'schema-name-not-string.yaml':           { at: '1:7', says: 'name: must be string' },
  'schema-version-negative.yaml':          { at: '2:10', says: 'version: invalid value; expected Policy version: an integer or a string' },
  'schema-version-float.yaml':             { at: '2:10', says: 'version: invalid value; expected Policy version: an integer or a string' },
  'schema-version-empty-string.yaml':      { at: '2:10', says: 'version: invalid value; expected Policy version: an integer or a string' },
  'schema-unknown-channel.yaml':           { at: '4:3', says: 'unknown key "metrics" in channels; allowed: parameters, logs, exceptions, locations', cli: true },
  'schema-misspelled-channel.yaml':        { at: '4:3', says: 'unknown key "paramters" in channels (did you mean "parameters"?)' },
  'schema-channels-list.yaml':             { at: '3:11', says: 'channels: must be object' },
  'schema-unknown-action.yaml':            { at: '6:40', says: 'invalid value; expected remove | replace | mask | hash | encrypt | allow' },
  'schema-bad-replace-action.yaml':        { at: '6:46', says: 'action.replace: must be string' },
  'schema-action-two-keys.yaml':           { at: '7:17', says: 'invalid value; expected remove | replace | mask | hash | encrypt | allow' },
  'schema-bad-mask-char.yaml':             { at: '5:57', says: 'mask.char: must NOT have more than 1 characters' },
  'schema-mask-keep-too-large.yaml':       { at: '7:33', says: 'mask.keep: must be <= 64' },
  'schema-locations-bad-action.yaml':      { at: '5:13', says: 'encrypt, hash, remove, allow' },
  'schema-locations-missing-action.yaml':  { at: '5:5', says: 'missing required key "action" in channels.locations' },
  'schema-bad-level.yaml':                 { at: '5:12', says: 'channels.logs.level: must be one of error, warn, info, http, verbose, debug, silly' },
  'schema-ship-yes-string.yaml':           { at: '5:11', says: 'channels.logs.ship: must be boolean' },
  'schema-stack-frames-too-many.yaml':     { at: '5:22', says: 'channels.exceptions.stack.frames: must be <= 1000' },
  'schema-stack-bad-paths.yaml':           { at: '6:14', says: 'channels.exceptions.stack.paths: must be one of relative, remove, keep' },
  'schema-stack-bad-usernames.yaml':       { at: '6:18', says: 'channels.exceptions.stack.usernames: must be one of remove, keep' },
  'schema-stack-unknown-option.yaml':      { at: '5:26', says: 'unknown key "depth" in channels.exceptions.stack; allowed: ship, frames, paths, usernames' },
  'schema-exceptions-message-bad.yaml':    { at: '5:14', says: "expected `type-only` keeps only the error's type; otherwise value rules" },
  'schema-field-path-empty.yaml':          { at: '6:17', says: 'path: must NOT have fewer than 1 characters' },
  'schema-field-path-number.yaml':         { at: '5:22', says: 'channels.parameters.allowlist[1]: must be string' },
  'schema-field-rule-missing-action.yaml': { at: '6:9', says: 'missing required key "action" in channels.parameters.fields[0]' },
  'schema-fields-not-a-list.yaml':         { at: '5:13', says: 'channels.parameters.fields: must be array' },
  'schema-value-rule-missing-detectors.yaml': { at: '5:14', says: 'missing required key "detectors" in channels.logs.values[0]' },
  'schema-selector-empty-list.yaml':       { at: '5:27', says: 'expected `all`, or a list of detector ids and tags' },
  'schema-selector-bare-string.yaml':      { at: '5:27', says: 'expected `all`, or a list of detector ids and tags' },
  'schema-value-rule-bad-scope.yaml':      { at: '5:60', says: 'scope: must be one of match, value' },
  'schema-limits-too-small.yaml':          { at: '4:20', says: 'limits.max_scan_length: must be >= 64' },
  'schema-audit-bad-record.yaml':          { at: '3:18', says: 'audit.record: must be one of payload, digest' },
  'schema-detector-bad-id.yaml':           { at: '4:3', says: '"Internal_Account" is not a valid id (use kebab-case' },
  'schema-detector-missing-pattern.yaml':  { at: '5:5', says: 'missing required key "pattern" in detectors.internal-account' },
  'schema-detector-bad-flags.yaml':        { at: '6:12', says: 'detectors.internal-account.flags: must match pattern "^[imsu]*$"' },
  'schema-detector-bad-validate.yaml':     { at: '6:15', says: 'validate: must be one of luhn, iban, ssn, ipv4, ipv6, phone, jwt' },
  'schema-detector-entropy-too-high.yaml': { at: '6:14', says: 'entropy: must be <= 8' },
  'schema-detector-non-ascii-keyword.yaml': { at: '6:16', says: 'detectors.internal-account.keywords[0]: must match pattern' },
  'schema-detector-group-zero.yaml':       { at: '6:12', says: 'expected Capture group (number or name)' },
  'schema-extends-not-a-list.yaml':        { at: '3:10', says: 'extends: must be array' },
  'schema-extends-empty-entry.yaml':       { at: '3:28', says: 'extends[1]: must NOT have fewer than 1 characters' },
  'schema-disable-duplicates.yaml':        { at: '3:10', says: 'disable: must NOT have duplicate items' },
  'schema-hash-missing-key.yaml':          { at: '3:7', says: 'missing required key "key" in hash' },
  'schema-hash-key-literal.yaml':          { at: '3:14', says: 'hash.key: must be env:NAME or file:PATH', secret: LITERAL_KEY, cli: true },
  'schema-hash-inline-value.yaml':         { at: '4:3', says: 'unknown key "secret" in hash; allowed: key', secret: LITERAL_KEY },
  'schema-locations-key-inline-jwk.yaml':  { at: '6:10', says: 'channels.locations.key: must be env:NAME or file:PATH', secret: INLINE_JWK_K },
  'schema-env-key-bad-name.yaml':          { at: '4:8', says: 'hash.key: must be env:NAME or file:PATH' },
  'schema-env-key-empty-name.yaml':        { at: '3:14', says: 'hash.key: must be env:NAME or file:PATH' },

  // Unsafe or invalid regexes (custom detector patterns and logs.drop), as regex-safety.ts decides
  'regex-nested-quantifier.yaml':          { at: '5:14', says: 'unsafe or invalid regex (recheck): exponential backtracking', cli: true },
  'regex-overlapping-alternation-drop.yaml': { at: '5:29', says: 'unsafe or invalid regex (recheck): exponential backtracking' },
  'regex-words-and-spaces.yaml':           { at: '5:14', says: 'unsafe or invalid regex (recheck): exponential backtracking' },
  'regex-repeated-dot-star.yaml':          { at: '5:14', says: 'unsafe or invalid regex (recheck): polynomial (degree 2) backtracking' },
  'regex-polynomial-whitespace.yaml':      { at: '6:9', says: 'unsafe or invalid regex (recheck): polynomial (degree 3) backtracking' },
  'regex-polynomial-a-star.yaml':          { at: '5:14', says: 'unsafe or invalid regex (recheck): polynomial (degree 4) backtracking' },
  'regex-polynomial-assignment.yaml':      { at: '6:14', says: 'unsafe or invalid regex (recheck): polynomial (degree 3) backtracking' },
  'regex-drop-nested-digits.json':         { at: '4:36', says: 'unsafe or invalid regex (recheck): exponential backtracking' },
  'regex-drop-healthcheck-words.yaml':     { at: '6:12', says: 'exponential backtracking: an input of about 45 characters makes it run for seconds; remove the ambiguity (a bound only delays it)' },
  'regex-bounded-nested-words.yaml':       { at: '5:12', says: 'unsafe or invalid regex (recheck): exponential backtracking inside a bounded repetition: each extra repetition multiplies the work' },
  'regex-bounded-hyphenated-words.yaml':   { at: '5:14', says: 'exponential backtracking inside a bounded repetition' },
  'regex-bounded-side-by-side.yaml':       { at: '5:14', says: 'polynomial (degree 3) backtracking within bounded repetitions: up to about 4225 steps per input character (at most 1024 are accepted)' },
  // Constructs recheck cannot prove safe: its fuzzer calls (.+)+\1 safe (40 s on 28 characters), and
  // crashes on ^(\1a|b)+$ (a stack overflow that hung lint forever, with pages of stack trace)
  'regex-backreference.yaml':              { at: '5:14', says: 'unsafe or invalid regex (recheck): back-reference \\1 at character 6: freedom from catastrophic backtracking cannot be proven for back-references', cli: true },
  'regex-backreference-crashes-recheck.yaml': { at: '5:12', says: 'back-reference \\1 at character 3' },
  'regex-named-backreference.yaml':        { at: '5:14', says: 'named back-reference \\k<q> at character 27' },
  'regex-lookahead-inside.yaml':           { at: '5:14', says: 'look-ahead (?! at character 5: it is not at the end of the pattern' },
  'regex-lookbehind-several-characters.yaml': { at: '5:14', says: 'look-behind (?<! at character 1: it tests more than one character' },
  'regex-syntax-unclosed-class.yaml':      { at: '5:14', says: 'unsafe or invalid regex (syntax): /ACCT-[0-9{8}/: Unterminated character class' },
  'regex-syntax-unclosed-group.yaml':      { at: '5:12', says: 'unsafe or invalid regex (syntax): /^(healthcheck|ping /: Unterminated group' },
  'regex-syntax-nothing-to-repeat.yaml':   { at: '5:14', says: 'unsafe or invalid regex (syntax): /*.internal/: Nothing to repeat' },
  'regex-syntax-quantifier-order.yaml':    { at: '5:14', says: 'numbers out of order in {} quantifier' },
  'regex-syntax-invalid-escape-unicode.yaml': { at: '5:14', says: 'unsafe or invalid regex (syntax): /id=\\q[0-9]+/u: Invalid escape' },
  'regex-syntax-duplicate-group-name.yaml': { at: '5:14', says: 'Duplicate capture group name' },
  'regex-syntax-bad-backreference.yaml':   { at: '5:12', says: 'Invalid named capture referenced' },

  // Detector references and custom detectors
  'ref-unknown-detector.yaml':             { at: '6:23', says: 'unknown detector or tag "github-tokens" (did you mean "github-token"?); see `egress-guard detectors`' },
  'ref-unknown-tag.yaml':                  { at: '5:35', says: 'unknown detector or tag "piii" (did you mean "pii"?)', cli: true },
  'ref-unknown-in-exceptions.yaml':        { at: '6:21', says: 'unknown detector or tag "credit-card"; see `egress-guard detectors`' },
  'ref-unknown-detector-from-parent.yaml': { at: '6:28', says: 'unknown detector or tag "acct-numbr" (did you mean "acct-number"?)' },
  'ref-disable-unknown.yaml':              { at: '3:11', says: 'unknown builtin detector "email"; see `egress-guard detectors`' },
  'ref-detector-shadows-builtin.yaml':     { at: '4:3', says: 'detector "jwt" is a builtin detector; to replace it, add "jwt" to disable' },
  'ref-detector-shadows-tag.yaml':         { at: '4:3', says: 'detector id "pii" is a tag; choose another id' },
  'ref-detector-missing-group-number.yaml': { at: '6:12', says: 'group 3 does not exist in the pattern' },
  'ref-detector-missing-group-name.yaml':  { at: '6:12', says: 'group "numbr" does not exist in the pattern' },

  // Key paths
  'path-trailing-dot.yaml':                { at: '6:17', says: 'invalid key path "db.": trailing "." at character 4' },
  'path-leading-dot.yaml':                 { at: '6:15', says: 'invalid key path ".password": empty key at character 1' },
  'path-unclosed-quote.yaml':              { at: '6:17', says: 'expected a number, * or a quoted key inside [ ] at character 8' },
  'path-bad-index.yaml':                   { at: '5:22', says: 'invalid key path "items[-1].sku": expected a number, * or a quoted key' },

  // extends
  'extends-unknown-builtin.yaml':          { at: '4:5', says: 'unknown builtin policy "builtin:paranoid"; available: builtin:default, builtin:pci, builtin:strict' },
  'extends-missing-file.yaml':             { at: '3:28', says: 'cannot read extended policy ./no-such-parent-policy.yaml (ENOENT); the path is relative to this file' },
  'extends-directory.yaml':                { at: '3:11', says: 'cannot read extended policy . (EISDIR)' },
  'extends-dev-zero.yaml':                 { at: '3:11', says: 'cannot read extended policy /dev/zero (ENOTREG): it is a character device, not a regular file', cli: true },
  'extends-broken-parent.yaml':            { at: '1:1', in: './schema-missing-version.yaml', says: 'missing required key "version" in policy root' },
  'extends-self-cycle.yaml':               { at: '3:28', says: cycle('extends-self-cycle.yaml', 'extends-self-cycle.yaml') },
  'extends-cycle-a.yaml':                  { at: '4:5', in: './extends-cycle-b.yaml', says: cycle('extends-cycle-a.yaml', 'extends-cycle-b.yaml', 'extends-cycle-a.yaml'), cli: true },
  'extends-cycle-b.yaml':                  { at: '3:11', in: './extends-cycle-a.yaml', says: cycle('extends-cycle-b.yaml', 'extends-cycle-a.yaml', 'extends-cycle-b.yaml') },
  'extends-cycle3-a.yaml':                 { at: '4:28', in: './extends-cycle3-c.yaml', says: cycle('extends-cycle3-a.yaml', 'extends-cycle3-b.yaml', 'extends-cycle3-c.yaml', 'extends-cycle3-a.yaml') },
  'extends-cycle3-b.yaml':                 { at: '3:11', in: './extends-cycle3-a.yaml', says: cycle('extends-cycle3-b.yaml', 'extends-cycle3-c.yaml', 'extends-cycle3-a.yaml', 'extends-cycle3-b.yaml') },
  'extends-cycle3-c.yaml':                 { at: '3:11', in: './extends-cycle3-b.yaml', says: cycle('extends-cycle3-c.yaml', 'extends-cycle3-a.yaml', 'extends-cycle3-b.yaml', 'extends-cycle3-c.yaml') },

  // Keys: files that cannot be read, hash without a key, encrypt outside locations
  'keys-hash-file-missing.yaml':           { at: '3:14', says: 'no-such-hash-key-for-the-corpus.key cannot be read (ENOENT); create it with at least 32 random bytes' },
  'keys-hash-file-var-missing-dir.yaml':   { at: '4:8', says: 'hash key file /nonexistent-egress-guard-corpus/keys/hash.key cannot be read (ENOENT)', env: KEY_DIR },
  'keys-hash-file-is-directory.yaml':      { at: '3:14', says: 'cannot be read (EISDIR)' },
  'keys-hash-file-dev-zero.yaml':          { at: '3:14', says: 'hash key file /dev/zero cannot be read (ENOTREG): it is a character device, not a regular file' },
  'keys-locations-file-missing.yaml':      { at: '6:10', says: 'location key file /nonexistent-egress-guard-corpus/locations.jwk cannot be read (ENOENT); make one with `egress-guard keys new' },
  'keys-locations-file-var-missing-dir.yaml': { at: '4:38', says: 'location key file /nonexistent-egress-guard-corpus/keys/locations.jwk cannot be read (ENOENT)', env: KEY_DIR, cli: true },
  'keys-locations-encrypt-without-key.yaml': { at: '5:13', says: 'locations are encrypted but no key is given: add key: file:PATH' },
  'hash-field-without-key.yaml':           { at: '6:43', says: 'the hash action needs a key: add hash: { key: env:NAME }', cli: true },
  'hash-value-rule-without-key.yaml':      { at: '7:17', says: 'the hash action needs a key: add hash: { key: env:NAME }' },
  'hash-locations-without-key.yaml':       { at: '4:24', says: 'the hash action needs a key: add hash: { key: env:NAME }' },
  'hash-exceptions-without-key.yaml':      { at: '6:42', says: 'the hash action needs a key: add hash: { key: env:NAME }' },
  'encrypt-in-field-rule.yaml':            { at: '6:45', says: 'the encrypt action applies to channels.locations.action only; use remove, replace, mask or hash here' },
  'encrypt-in-logs-values.yaml':           { at: '5:39', says: 'the encrypt action applies to channels.locations.action only' },
  'encrypt-in-exceptions-message.yaml':    { at: '7:37', says: 'the encrypt action applies to channels.locations.action only' },

  // Embedded tests
  'tests-not-a-list.yaml':                 { at: '4:3', says: 'tests: must be array' },
  'tests-entry-is-string.yaml':            { at: '4:5', says: 'tests[0]: must be object' },
  'tests-missing-input.yaml':              { at: '4:5', says: 'missing required key "input" in tests[0]' },
  'tests-missing-channel.yaml':            { at: '4:5', says: 'missing required key "channel" in tests[0]' },
  'tests-unknown-channel.yaml':            { at: '4:16', says: 'channel: must be one of parameters, logs, exceptions, locations' },
  'tests-misspelled-key.yaml':             { at: '6:5', says: 'unknown key "expected" in tests[0] (did you mean "expect"?)' },
  'tests-expect-absent-string.yaml':       { at: '7:20', says: 'expect_absent: must be array', secret: GHP, cli: true },
  'tests-expect-absent-empty-item.yaml':   { at: '6:43', says: 'tests[0].expect_absent[1]: must NOT have fewer than 1 characters' },
  'tests-expect-dropped-string.yaml':      { at: '6:21', says: 'expect_dropped: must be boolean' },
};

/** Corpus files that lint accepts on their own, and why. */
const ACCEPTED: Record<string, { why: string; env?: Case['env'] }> = {
  'helper-parent.yaml': { why: 'the valid parent of ref-unknown-detector-from-parent.yaml' },
  'regex-edge-lookarounds.yaml': { why: 'one-character look-arounds at the edges of a pattern are proven safe (docs/policy.md, How regexes are checked)' },
  'keys-hash-env-unset.yaml': {
    why: 'an env: key is read when the policy is compiled, not when it loads (docs/policy.md, Keys)',
    env: { EG_CORPUS_SURELY_UNSET_HASH_KEY: undefined },
  },
};

const corpus = readdirSync(CORPUS).sort();

async function issuesOf(file: string, env: Case['env']): Promise<PolicyIssue[]> {
  // The case's variables set, or unset where undefined, over this process's environment.
  const withCase: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env ?? {})) {
    if (value === undefined) delete withCase[name];
    else withCase[name] = value;
  }
  const [result] = await lintPolicyFiles([file], { cwd: CORPUS, env: withCase });
  return result!.issues;
}

/** 1-based, on one of the file's lines (a final newline ends the last line, it does not start one). */
function assertInside(issue: PolicyIssue): void {
  const lines = readFileSync(resolve(CORPUS, issue.file), 'utf8').split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  assert.isAtLeast(issue.line, 1, `${where}: line`);
  assert.isAtMost(issue.line, lines.length, `${where}: past the last line (${lines.length})`);
  assert.isAtLeast(issue.col, 1, `${where}: column`);
  assert.isAtMost(issue.col, lines[issue.line - 1]!.replace(/\r$/, '').length + 1, `${where}: past the end of the line`);
}

describe('hardening: a corpus of broken policies, each refused with a positioned message', function () {
  this.timeout(60_000);

  it(`has an entry for every file, a file for every entry, and at least ${MIN_REFUSALS} refusals`, () => {
    assert.deepEqual(corpus.filter((f) => !(f in CASES) && !(f in ACCEPTED)), [], 'corpus files without an entry in CASES');
    assert.deepEqual([...Object.keys(CASES), ...Object.keys(ACCEPTED)].filter((f) => !corpus.includes(f)), [], 'entries without a corpus file');
    assert.isAtLeast(corpus.filter((f) => f in CASES).length, MIN_REFUSALS);
  });

  for (const file of corpus.filter((f) => !(f in ACCEPTED))) {
    it(file, async () => {
      const c = CASES[file];
      if (c === undefined) assert.fail(`${file} has no entry in CASES`);
      const issues = await issuesOf(file, c.env);
      assert.isNotEmpty(issues, 'the policy is accepted');
      if (c.secret !== undefined) {
        assert.isTrue(readFileSync(join(CORPUS, file), 'utf8').includes(c.secret), 'the corpus file holds the planted key');
        assert.isFalse(issues.some((i) => i.message.includes(c.secret!)), 'message holds the key');
      }
      for (const issue of issues) assertInside(issue);
      const expected = `${c.in ?? file}:${c.at}: ...${c.says}...`;
      const got = issues.map((i) => `${i.file}:${i.line}:${i.col}: ${i.message}`).join('\n');
      assert.isTrue(
        issues.some((i) => i.file === (c.in ?? file) && `${i.line}:${i.col}` === c.at && i.message.includes(c.says)),
        `expected ${expected}\ngot:\n${got}`,
      );
    });
  }

  it('accepts the files that are not refusals on their own (helpers, documented deferrals)', async () => {
    for (const [file, { why, env }] of Object.entries(ACCEPTED)) assert.deepEqual(await issuesOf(file, env), [], `${file}: ${why}`);
  });

  for (const [file, c] of Object.entries(CASES).filter(([, c]) => c.cli)) {
    it(`egress-guard policy lint ${file}: exit 2, FILE:LINE:COL: message on stderr`, async () => {
      assert.isTrue(existsSync(CLI), `${CLI} is missing: run npm run build`);
      const r = await run(process.execPath, [CLI, 'policy', 'lint', file], { cwd: CORPUS, ...(c.env && { env: c.env }) });
      if (c.secret !== undefined) assert.isFalse((r.stdout + r.stderr).includes(c.secret), 'CLI output holds the key');
      assert.equal(r.code, 2, r.stderr);
      const line = `${c.in ?? file}:${c.at}: `;
      assert.isTrue(
        r.stderr.split('\n').some((l) => l.startsWith(line) && l.includes(c.says)),
        `expected a line ${line}...${c.says}... on stderr, got:\n${r.stderr}`,
      );
    });
  }
});
