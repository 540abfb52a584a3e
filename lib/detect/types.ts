import type { SecretFamily } from './key-names.ts';

/** Names of the validators a detector can ask for after its pattern matched. */
export type ValidatorName = 'luhn' | 'iban' | 'ssn' | 'ipv4' | 'ipv6' | 'phone' | 'jwt' | 'bitcoin' | 'ethereum' | 'nhs';

/**
 * One detector: a regex that finds a kind of secret or personal data in text.
 * Builtin detectors live in lib/detect/catalogue; policies may add their own with the same shape.
 */
export interface DetectorSpec {
  /** Stable id, kebab-case, used in policies, findings and the audit (e.g. `github-pat`). */
  id: string;
  /** One line for humans: what it finds. */
  description: string;
  /** At least `secret` or `pii`; more specific tags (`cloud`, `vcs`, `payment`, ...) may follow. */
  tags: string[];
  /** JavaScript regex source, no delimiters. Must be proven safe by the ReDoS gate (lib/policy/regex-safety.ts; checked in tests and at load). */
  pattern: string;
  /** Regex flags besides the `g` and `y` the scanner adds itself: only `i`, `s`, `m`, `u` make sense. */
  flags?: string;
  /**
   * Literal strings of which at least one must occur in the text (case-insensitively) before the pattern
   * runs at all: the prefilter. Omit only for detectors without a literal anchor (phone numbers, cards).
   */
  keywords?: string[];
  /**
   * For detectors without keywords: a cheap regex that every finding of this detector also matches (a
   * necessary condition, e.g. `\d{3}[- ]\d{2}[- ]\d{4}` for SSNs). The scanner runs all such triggers in
   * one pass and runs the full pattern only on texts where its trigger matched. Written in the regex
   * subset that trigger-dfa.ts compiles (no anchors or lookaround), a trigger costs nothing per character
   * there, so make it as tight as the pattern allows.
   */
  trigger?: string;
  /**
   * Capture group (number or name) holding the sensitive part, when the pattern also matches context
   * (e.g. the `password=` before a password). The whole match is redacted when omitted.
   */
  group?: number | string;
  /**
   * Builtin `key=value` detectors only: the named group holding the key name. The match counts only when
   * the key-name classifier (key-names.ts) calls that name a secret of family `keyFamily`.
   */
  keyGroup?: string;
  keyFamily?: SecretFamily;
  /**
   * Builtin `key=value` detectors only: `pattern` cut right after the assignment operator (`key` + `value`
   * is `pattern`). The scanner then finds each key, asks the classifier, and tries the value only after a
   * secret-named key: most lines assign to keys that name no secret (`"path":`, `status=`), and the value's
   * checks are the costly part. The whole `pattern` stays the reference (ScannerOptions.prefilter false).
   */
  split?: { key: string; value: string };
  /** Checksum or structure validator applied to the sensitive part; a match that fails it is dropped. */
  validate?: ValidatorName;
  /** Minimum Shannon entropy (bits per character) of the sensitive part; lower is not a finding. */
  entropy?: number;
  /**
   * Examples used by the tests and by `egress-guard canary`: `positive` strings each contain one finding
   * of this detector, `negative` strings must produce none of it. All fake, generated for this project.
   */
  examples?: { positive: string[]; negative: string[] };
}

/** A detector hit in a string: where, and which detector. Never carries the matched value itself. */
export interface Match {
  detector: string;
  /** Start (inclusive) and end (exclusive) UTF-16 offsets of the sensitive span. */
  start: number;
  end: number;
}
