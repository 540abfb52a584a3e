/** The `egress-guard` command line: dispatches to one module per command. */
import { packageVersion } from '../package-root.ts';
import { EXIT_OK, EXIT_USAGE, HelpRequested, UserError, write, type CommandIO } from './io.ts';
import type { Command } from './main.ts';
import { suggest } from '../policy/suggest.ts';
import { policyExplainCommand, EXPLAIN_USAGE } from './policy-explain.ts';
import { policyLintCommand, LINT_USAGE } from './policy-lint.ts';
import { policyTestCommand, TEST_USAGE } from './policy-test.ts';
import { scrubCommand, SCRUB_USAGE } from './scrub.ts';
import { keysNewCommand, KEYS_NEW_USAGE } from './keys-new.ts';
import { detectorsCommand, DETECTORS_USAGE } from './detectors.ts';
import { decryptLocationCommand, DECRYPT_USAGE } from './decrypt-location.ts';
import { cloudServeCommand, CLOUD_SERVE_USAGE } from './cloud-serve.ts';
import { runCommand, RUN_USAGE } from './run.ts';
import { demoCommand, DEMO_USAGE } from './demo.ts';
import { canaryCommand, CANARY_USAGE } from './canary.ts';

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  run: { run: runCommand, usage: RUN_USAGE, summary: "run a module's default-exported flow, reporting through the gate; exit 1 when the run fails" },
  demo: { run: demoCommand, usage: DEMO_USAGE, summary: 'run the example flow against an in-process control plane and show what reached it' },
  canary: { run: canaryCommand, usage: CANARY_USAGE, summary: "plant every detector's fake secrets in every channel; exit 1 if any reaches the control plane" },
  'policy lint': { run: policyLintCommand, usage: LINT_USAGE, summary: 'check policy files; exit 2 with FILE:LINE:COL errors' },
  'policy test': { run: policyTestCommand, usage: TEST_USAGE, summary: "run policies' embedded tests; exit 1 on a failure" },
  'policy explain': { run: policyExplainCommand, usage: EXPLAIN_USAGE, summary: 'show which detectors and rules fire where' },
  scrub: { run: scrubCommand, usage: SCRUB_USAGE, summary: 'scrub records line by line (a pipeline filter)' },
  detectors: { run: detectorsCommand, usage: DETECTORS_USAGE, summary: 'list the builtin detector catalogue' },
  'keys new': { run: keysNewCommand, usage: KEYS_NEW_USAGE, summary: 'make a location-encryption key (JWK set, mode 0600)' },
  'cloud serve': { run: cloudServeCommand, usage: CLOUD_SERVE_USAGE, summary: 'run the reference control plane (HTTP/JSON on 127.0.0.1)' },
  'decrypt-location': { run: decryptLocationCommand, usage: DECRYPT_USAGE, summary: 'print the plaintext of an encrypted location' },
};

function help(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `egress-guard: scrub, gate and audit what your jobs send to their control plane\n\nusage:\n${lines.join('\n')}\n`;
}

export const egressGuard: Command = async (args, io: CommandIO) => {
  if (args.length === 0) {
    await write(io.stderr, help());
    return EXIT_USAGE;
  }
  if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    await write(io.stdout, help());
    return EXIT_OK;
  }
  if (args[0] === '--version') {
    await write(io.stdout, packageVersion() + '\n');
    return EXIT_OK;
  }
  const two = `${args[0]} ${args[1] ?? ''}`;
  const name = COMMANDS[two] !== undefined ? two : args[0]!;
  const command = COMMANDS[name];
  if (command === undefined) {
    // A group (`policy`, `keys`, `cloud`) without a known subcommand: its subcommands.
    const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${args[0]} `));
    if (group.length > 0) {
      const listing = `egress-guard ${args[0]}: one of\n${group.map((n) => `  ${COMMANDS[n]!.usage}\n      ${COMMANDS[n]!.summary}`).join('\n')}\n`;
      if (args[1] === '--help' || args[1] === '-h') {
        await write(io.stdout, listing);
        return EXIT_OK;
      }
      const unknown = args[1] === undefined ? '' : `unknown subcommand ${JSON.stringify(args[1])}${suggest(args[1], group.map((n) => n.split(' ')[1]!))}; `;
      throw new UserError(`egress-guard ${args[0]}: ${unknown}${listing.slice(`egress-guard ${args[0]}: `.length)}`);
    }
    const names = [...new Set(Object.keys(COMMANDS).map((n) => n.split(' ')[0]!))];
    throw new UserError(`egress-guard: unknown command ${JSON.stringify(args[0])}${suggest(args[0]!, names)}; \`egress-guard --help\` lists them`);
  }
  try {
    return await command.run(args.slice(name.split(' ').length), io);
  } catch (err) {
    // `--help` anywhere among its arguments (parseCommandArgs): the usage, and what the command is for.
    if (err instanceof HelpRequested) throw new HelpRequested(`${err.usage}\n\n${command.summary}`);
    throw err;
  }
};
