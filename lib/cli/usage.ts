/**
 * What each `egress-guard` command takes, says and is for: the one source of `--help`, the command listing
 * and usage errors. Kept apart from the commands so that `--help` loads none of them.
 */

/** A command's help: its synopsis, what it is for, each option, and an example to copy. */
export interface CommandHelp {
  usage: string;
  summary: string;
  options: readonly (readonly [flag: string, meaning: string])[];
  example: string;
}

const POLICY = ['--policy P', 'a policy file or builtin:NAME; default: $EGRESS_GUARD_POLICY, else .egress-guard.yaml here or in a parent directory, else builtin:default'] as const;
const CHANNEL = ['--channel C', 'parameters, logs, exceptions or locations: whose rules apply'] as const;
const KEY = ['--key FILE', 'the location key (JWK set) when the policy encrypts locations; default: the policy\'s locations.key'] as const;
const INPUT = ['FILE|-', 'records to read, one per line (JSON lines are structured records); - or nothing: standard input'] as const;

/**
 * Every command, by the words that name it.
 *
 * @example COMMAND_HELP.scrub.usage // 'egress-guard scrub [--policy P] --channel C [--key FILE] [FILE|-]'
 */
export const COMMAND_HELP = {
  run: {
    usage: 'egress-guard run MODULE [--param k=v ...] [--params-file F] [--policy P] [--key FILE] --cloud URL --token T [--ledger DIR [--signing-key FILE]] [--restart RUN_ID]',
    summary: "run a module's default-exported flow, reporting through the gate; exit 1 when the run fails",
    options: [
      ['MODULE', 'a JavaScript or TypeScript module whose default export is a flow'],
      ['--param k=v', 'a flow parameter (repeatable; the value is JSON when it parses, else a string)'],
      ['--params-file F', 'flow parameters from a JSON object file'],
      POLICY,
      KEY,
      ['--cloud URL', 'the control plane (http://127.0.0.1:PORT for `egress-guard cloud serve`)'],
      ['--token T', 'the control plane token; default: $EGRESS_GUARD_TOKEN'],
      ['--ledger DIR', 'record every outbound item in an audit ledger there'],
      ['--signing-key FILE', 'sign the ledger\'s checkpoints (egress-guard keys new --signing)'],
      ['--restart RUN_ID', 'resume a failed run from its checkpoints'],
    ],
    example: 'egress-guard run examples/nightly-etl/flow.ts --param day=2026-12-01 --cloud http://127.0.0.1:8080 --token dev --ledger .ledger',
  },
  demo: {
    usage: 'egress-guard demo',
    summary: 'run the example flow against an in-process control plane and show what reached it',
    options: [],
    example: 'egress-guard demo',
  },
  canary: {
    usage: 'egress-guard canary [--policy P] [--key FILE] [--format table|json]',
    summary: "plant every detector's fake secrets in every channel; exit 1 if any reaches the control plane",
    options: [POLICY, ['--key FILE', 'the location key; default: a throwaway key'], ['--format F', 'table (default) or json']],
    example: 'egress-guard canary --policy policies/strict.yaml',
  },
  'policy lint': {
    usage: 'egress-guard policy lint FILE...',
    summary: 'check policy files; exit 2 with FILE:LINE:COL errors',
    options: [['FILE...', 'policy files (YAML or JSON)']],
    example: 'egress-guard policy lint policies/*.yaml',
  },
  'policy test': {
    usage: 'egress-guard policy test FILE|builtin:NAME...',
    summary: "run policies' embedded tests; exit 1 on a failure",
    options: [['FILE|builtin:NAME...', 'the policies whose tests run']],
    example: 'egress-guard policy test policies/strict.yaml',
  },
  'policy explain': {
    usage: 'egress-guard policy explain [--policy P] --channel C [FILE|-]',
    summary: 'show which detectors and rules fire where (matched text masked)',
    options: [POLICY, CHANNEL, INPUT],
    example: "echo 'token=ghp_...' | egress-guard policy explain --channel logs",
  },
  scrub: {
    usage: 'egress-guard scrub [--policy P] --channel C [--key FILE] [FILE|-]',
    summary: 'scrub records line by line (a pipeline filter)',
    options: [POLICY, CHANNEL, KEY, INPUT],
    example: 'egress-guard scrub --channel logs app.log > app.scrubbed.log',
  },
  scan: {
    usage: 'egress-guard scan [--policy P] [--channel C] [--format table|json|sarif] FILE|DIR|-...',
    summary: 'report what the policy would change in files, without changing them; exit 1 on findings, 0 when clean',
    options: [
      POLICY,
      ['--channel C', 'whose rules apply: logs (default), parameters or exceptions'],
      ['--format F', 'table (default), json, or sarif (SARIF 2.1.0 for code-scanning tools)'],
      ['FILE|DIR|-...', 'files, directories (read recursively) or - for standard input'],
    ],
    example: 'egress-guard scan --format sarif logs/ > findings.sarif',
  },
  detectors: {
    usage: 'egress-guard detectors [--format md|json] [--tag TAG]',
    summary: 'list the builtin detector catalogue',
    options: [['--format F', 'md (default) or json'], ['--tag TAG', 'only the detectors with this tag (secret, pii, cloud, ...)']],
    example: 'egress-guard detectors --tag pii',
  },
  'keys new': {
    usage: 'egress-guard keys new [--signing] [--out FILE]',
    summary: 'make a location-encryption key (JWK set, mode 0600), or with --signing a ledger signing key',
    options: [['--signing', 'an EC P-256 key that signs ledger checkpoints (its public half is written beside it)'], ['--out FILE', 'where to write it (required with --signing); default: standard output']],
    example: 'egress-guard keys new --out location.jwk',
  },
  'cloud serve': {
    usage: 'egress-guard cloud serve --port N --data DIR (--token T | --tenants FILE)',
    summary: 'run the reference control plane (HTTP/JSON on 127.0.0.1)',
    options: [['--port N', 'the port (0: any free port, printed)'], ['--data DIR', 'where it stores what it receives'], ['--token T', 'the one tenant\'s token'], ['--tenants FILE', 'a JSON object of tenant name to token']],
    example: 'egress-guard cloud serve --port 8080 --data .cloud --token dev',
  },
  'decrypt-location': {
    usage: 'egress-guard decrypt-location --key FILE TOKEN',
    summary: 'print the plaintext of an encrypted location',
    options: [['--key FILE', 'the location key; default: $EGRESS_GUARD_LOCATION_KEY'], ['TOKEN', 'the JWE the control plane shows']],
    example: 'egress-guard decrypt-location --key location.jwk eyJhbGciOiJBMjU2S1ciLC...',
  },
} as const satisfies Record<string, CommandHelp>;

/** The name of a command: one word, or a group and a subcommand (`policy lint`). */
export type CommandName = keyof typeof COMMAND_HELP;

/**
 * The whole help of one command, as `egress-guard CMD --help` prints it.
 *
 * @example helpText('scrub').startsWith('usage: egress-guard scrub') // true
 */
export function helpText(name: CommandName): string {
  const help: CommandHelp = COMMAND_HELP[name];
  const width = Math.max(0, ...help.options.map(([flag]) => flag.length));
  const options = help.options.length === 0 ? '' : `\noptions:\n${help.options.map(([flag, meaning]) => `  ${flag.padEnd(width)}  ${meaning}`).join('\n')}\n`;
  return `usage: ${help.usage}\n\n${help.summary}\n${options}\nexample:\n  ${help.example}`;
}

/**
 * A usage error's text: what is wrong, then the synopsis.
 *
 * @example throw new UserError(usageError('scrub', '--channel is required'))
 */
export function usageError(name: CommandName, problem: string): string {
  return `${name}: ${problem}\nusage: ${COMMAND_HELP[name].usage}`;
}
