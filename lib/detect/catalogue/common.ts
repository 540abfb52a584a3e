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

/** The value ends here: a delimiter or the end of the text. */
const WHOLE = String.raw`(?:${DELIM}|$)`;

/** `word` in either case letter by letter, so that a fragment means the same in detectors without the `i` flag. */
const anyCase = (word: string): string =>
  word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
const anyCaseWords = (words: string[]): string => `(?:${words.map(anyCase).join('|')})`;

/** A word of an identifier: letters only. */
const WORD = String.raw`[A-Za-z]{1,16}`;

/** The last word of a name that names a secret (`ACCESS_TOKEN`, `YOUR_PASSWORD`, `db-api-key`). */
const SECRET_WORD = anyCaseWords(['password', 'passwd', 'passphrase', 'pass', 'pwd', 'secret', 'token', 'key', 'apikey', 'credential', 'credentials', 'pat']);

/**
 * Placeholder values, each decided by a rule on its shape (the whole value, up to WHOLE):
 *  - one character repeated 3 to 24 times (`xxxx`, `0000`, `####`, `....`; `x` and `*` any number of times
 *    by the masks below); bounded low because each bound unrolls into the ReDoS checker's automaton;
 *  - a regex replacement reference (`$1`, as in `s/(.*):(.*)/$1:$2@…/`);
 *  - a Terraform/HCL reference (`var.db_password`, `local.x`, `data.vault_x.y.z`, `module.m.out`);
 *  - an identifier of letter-only words joined by `_` or `-` whose last word names a secret, i.e. an
 *    environment-variable or field name standing where its value should be (`ACCESS_TOKEN`, `YOUR_PASSWORD`,
 *    `not_a_real_token`); a real token has digits or no word shape, and `hunter2`, `changeme` have no `_`;
 *  - a dummy word, alone or as one word of such an identifier (`fake`, `dummy`, `sample`, `placeholder`,
 *    `example`, `fake-key`, `example_value`): never with digits, so `AKIAIOSFODNN7EXAMPLE` is not one.
 */
const REPEATED = [...'abcdefghijklmnopqrstuvwxyz0123456789', String.raw`\*`, '#', String.raw`\.`, '-', '_', String.raw`\?`]
  .map((c) => `${c}{3,24}`)
  .join('|');
const REGEX_REFERENCE = String.raw`\$\d{1,2}`;
const HCL_REFERENCE = String.raw`${anyCaseWords(['var', 'local', 'data', 'module', 'each', 'count', 'path', 'terraform'])}\.[A-Za-z_][\w-]{0,40}(?:\.[\w-]{1,40}){0,3}`;
const SECRET_NAME = String.raw`(?:${WORD}[_-]){1,5}${SECRET_WORD}`;
const DUMMY_WORD = anyCaseWords(['fake', 'dummy', 'sample', 'placeholder', 'example']);
const DUMMY = String.raw`(?:${WORD}[_-]){0,4}${DUMMY_WORD}(?:[_-]${WORD}){0,4}`;

/**
 * The userinfo template `user:password` (`https://user:password@host`, `curl -u username:pass`): the user
 * part is the generic field name and the password part names its own field. `admin:password@` is not:
 * `password` is then a (weak) password.
 */
const USERINFO_TEMPLATE = String.raw`(?<=(?:^|[^\w.-])${anyCaseWords(['user', 'username', 'user_name', 'usr', 'login'])}:)${anyCaseWords(['password', 'passwd', 'pass', 'pwd', 'secret'])}${WHOLE}`;

/**
 * Placeholder guard, placed right before a value (case-insensitive detectors): the value is not a
 * template (`${X}`, `$(x)`, `{{ x }}`, `{x}`, `<your-token>`, `%s`, `%(name)s`), a mask (`***`, `xxx`,
 * `REDACTED`, `[FILTERED]`), an environment reference (`$DB_PASSWORD`) or a null-ish word (`null`, `none`,
 * `false`), nor one of the shapes above (repeated character, `$1`, HCL reference, secret-naming
 * identifier, dummy word, `user:password` template). Weak but real passwords (`changeme`, `password`) are
 * NOT placeholders.
 *
 * Not expressible here: a value equal to its own key (`token: token`, `API_KEY=api_key`) needs a
 * back-reference to the key, which the ReDoS gate refuses; multi-word names of that kind are caught by
 * SECRET_NAME, single words are left to the scanner.
 */
export const NOT_PLACEHOLDER = String.raw`(?!(?:\$\{|\$\(|\{|<|%[a-z0-9({]|\*\*|=|\[(?:redacted|filtered|hidden|masked|removed)\]|(?:redacted|null|nil|none|undefined|true|false|x{3,}|hidden|masked|filtered|removed|\$[a-z_][a-z0-9_]{0,40}|${REGEX_REFERENCE}|${REPEATED}|${HCL_REFERENCE}|${SECRET_NAME}|${DUMMY})${WHOLE}|${USERINFO_TEMPLATE}))`;

/** The operator part of ASSIGN: optional closing quote (also JSON-escaped), then `=`, `:`, `:=` or `=>`. */
export const ASSIGN_OPERATOR = String.raw`(?:\\?["'])?[ \t]{0,3}(?::=|=>|[:=])`;
/** What may follow the operator before a value: spaces, an opening quote (also JSON-escaped). */
export const ASSIGN_TAIL = String.raw`[ \t]{0,3}(?:\\?["'])?`;
/** Key/value separator after a key: optional closing quote (also JSON-escaped), then `=`, `:`, `:=` or `=>`. */
export const ASSIGN = ASSIGN_OPERATOR + ASSIGN_TAIL;

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
