/**
 * The `egress-guard` command line: dispatches to one module per command, imported only when that command
 * runs, so that `--help` and a small `scrub` do not pay for the others (the JOSE library, the flow
 * runtime, the control plane).
 */
import { packageVersion } from '../package-root.ts';
import { suggest } from '../policy/suggest.ts';
import { EXIT_OK, EXIT_USAGE, HelpRequested, UserError, wantsHelp, write, type CommandIO } from './io.ts';
import type { Command } from './main.ts';
import { COMMAND_HELP, helpText, type CommandName } from './usage.ts';

const LOADERS: Record<CommandName, () => Promise<Command>> = {
  run: async () => (await import('./run.ts')).runFlowCommand,
  demo: async () => (await import('./demo.ts')).demoCommand,
  canary: async () => (await import('./canary.ts')).canaryCommand,
  'policy lint': async () => (await import('./policy-lint.ts')).policyLintCommand,
  'policy test': async () => (await import('./policy-test.ts')).policyTestCommand,
  'policy explain': async () => (await import('./policy-explain.ts')).policyExplainCommand,
  scrub: async () => (await import('./scrub.ts')).scrubCommand,
  scan: async () => (await import('./scan.ts')).scanCommand,
  detectors: async () => (await import('./detectors.ts')).detectorsCommand,
  'keys new': async () => (await import('./keys-new.ts')).keysNewCommand,
  'cloud serve': async () => (await import('./cloud-serve.ts')).cloudServeCommand,
  'decrypt-location': async () => (await import('./decrypt-location.ts')).decryptLocationCommand,
};
const NAMES = Object.keys(COMMAND_HELP) as CommandName[];

function listing(names: readonly CommandName[]): string {
  return names.map((n) => `  ${COMMAND_HELP[n].usage}\n      ${COMMAND_HELP[n].summary}`).join('\n');
}

function help(): string {
  return `egress-guard: scrub, gate and audit what your jobs send to their control plane\n\nusage:\n${listing(NAMES)}\n\n\`egress-guard COMMAND --help\` describes each option, with an example.\n`;
}

/**
 * The `egress-guard` command: `egress-guard scrub --channel logs app.log`, `egress-guard --help`, ...
 *
 * @example process.exitCode = await runCommand(egressGuard, ['detectors', '--tag', 'pii']);
 */
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
  const name = (two in COMMAND_HELP ? two : args[0]!) as CommandName;
  if (!(name in COMMAND_HELP)) {
    // A group (`policy`, `keys`, `cloud`) without a known subcommand: its subcommands.
    const group = NAMES.filter((n) => n.startsWith(`${args[0]} `));
    if (group.length > 0) {
      if (args[1] === '--help' || args[1] === '-h') {
        await write(io.stdout, `egress-guard ${args[0]}: one of\n${listing(group)}\n`);
        return EXIT_OK;
      }
      const unknown = args[1] === undefined ? '' : `unknown subcommand ${JSON.stringify(args[1])}${suggest(args[1], group.map((n) => n.split(' ')[1]!))}; `;
      throw new UserError(`egress-guard ${args[0]}: ${unknown}one of\n${listing(group)}`);
    }
    const words = [...new Set(NAMES.map((n) => n.split(' ')[0]!))];
    throw new UserError(`egress-guard: unknown command ${JSON.stringify(args[0])}${suggest(args[0]!, words)}; \`egress-guard --help\` lists them`);
  }
  const rest = args.slice(name.split(' ').length);
  // `--help` anywhere before `--`: the command's help, before its module loads or any argument is checked.
  if (wantsHelp(rest)) throw new HelpRequested(helpText(name));
  return (await LOADERS[name]())(rest, io);
};
