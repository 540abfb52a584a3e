/**
 * Regex fragments shared by the builtin detectors. All are JS regex sources meant for String.raw
 * templates; each is bounded so that the patterns that use them stay linear (checked by recheck in tests).
 */

/** After a token: not followed by another token character (safer than `\b` for tokens ending in `-`/`_`). */
export const END = String.raw`(?![A-Za-z0-9_-])`;

/** The start of an ANSI escape sequence up to its final letter: `\x1b[33` of `\x1b[33m`, `\x1b[2` of `\x1b[2K`. */
const ANSI_BEFORE_FINAL = String.raw`\x1b\[[0-9;:?]{0,32}`;

/**
 * Before a token whose prefix is weak, the tail of common words or of base64 runs (`hf_` in `load_hf_`,
 * `EAAA` in zero bytes): not preceded by a token character, except the letter that ends an ANSI escape
 * (a terminal colour code: markup, not part of the token). One lookbehind: an alternation in front of the
 * literal stops V8 from searching for the literal first, 15 times slower.
 */
export const START = String.raw`(?<![0-9_-]|(?<!${ANSI_BEFORE_FINAL})[A-Za-z])`;

/**
 * Before a token whose literal prefix is distinctive (`ghp_`, `AKIA`, `xoxb-`): nothing. The prefix alone
 * makes it a token, so it is found glued to a word, a digit or `_` (`v=_ghp_…`, `xAKIA…`, `id=1glpat-…`)
 * and after an ANSI colour code. Spelled out rather than left implicit so that every pattern shows which of
 * START and GLUED was chosen for it.
 */
export const GLUED = '';

/** Characters that end an unquoted value in text, JSON, YAML or a query string. */
const DELIM = String.raw`[\s"'&,;)}\]@]`;

/**
 * Placeholder guard, placed right before a value (case-insensitive detectors): the value is not a
 * template (`${X}`, `$(x)`, `{{ x }}`, `{x}`, `<your-token>`, `%s`), a mask (`***`, `xxx`, `REDACTED`,
 * `[FILTERED]`), an environment reference (`$DB_PASSWORD`) or a null-ish word (`null`, `none`, `false`).
 * Weak but real passwords (`changeme`, `password`) are NOT placeholders.
 */
export const NOT_PLACEHOLDER = String.raw`(?!(?:\$\{|\$\(|\{|<|%[a-z0-9({]|\*\*|=|\[(?:redacted|filtered|hidden|masked|removed)\]|(?:redacted|null|nil|none|undefined|true|false|x{3,}|hidden|masked|filtered|removed|\$[a-z_][a-z0-9_]{0,40})(?:${DELIM}|$)))`;

/** Key/value separator after a key: optional closing quote (also JSON-escaped), then `=`, `:`, `:=` or `=>`. */
export const ASSIGN = String.raw`(?:\\?["'])?[ \t]{0,3}(?::=|=>|[:=])[ \t]{0,3}(?:\\?["'])?`;

/**
 * A value after ASSIGN: inside double quotes up to the closing quote (spaces allowed), inside single
 * quotes likewise, or unquoted up to whitespace or a delimiter.
 */
export const VALUE = String.raw`(?:(?<=")[^"\r\n]{1,200}?(?=\\?")|(?<=')[^'\r\n]{1,200}?(?=')|(?<!["'])[^\s"'&,;<>]{1,200})`;

/**
 * Code guard, placed right before an unquoted value: not an expression from a source line shown in a
 * traceback (`os.environ["X"]`, `get_token()`, `self.password`, `config.db.password`).
 */
export const NOT_CODE = String.raw`(?!(?:self|this|config|settings|cfg|os|env|process|args|opts|options|params|request|req|ctx|kwargs)\.|[A-Za-z_][\w.]{0,60}[(\[])`;
