/** `egress-guard policy lint`: exit 0 when every policy is valid, 2 with positioned errors otherwise. */
import { lintPolicyFiles } from '../policy/lint.ts';
import { EXIT_OK, EXIT_USAGE, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { COMMAND_HELP } from './usage.ts';

export async function policyLintCommand(args: string[], io: CommandIO): Promise<number> {
  const { positionals } = parseCommandArgs('policy lint', args, {}, COMMAND_HELP['policy lint'].usage);
  if (positionals.length === 0) throw new UserError(`policy lint: name at least one policy file\nusage: ${COMMAND_HELP['policy lint'].usage}`);
  const results = await lintPolicyFiles(positionals, { cwd: io.cwd, env: io.env });
  for (const r of results) {
    if (r.ok) await write(io.stdout, `${r.file}: ok\n`);
    else for (const i of r.issues) await write(io.stderr, `${i.file}:${i.line}:${i.col}: ${i.message}\n`);
    for (const w of r.warnings) await write(io.stderr, `${w.file}:${w.line}:${w.col}: warning: ${w.message}\n`);
  }
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_USAGE;
}
