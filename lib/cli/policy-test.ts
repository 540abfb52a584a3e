/** `egress-guard policy test`: runs each policy's embedded tests; exit 1 on a failing case. */
import { loadAny } from '../policy/create.ts';
import { compilePolicy } from '../policy/engine.ts';
import { runPolicyTests } from '../policy/test-runner.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { COMMAND_HELP } from './usage.ts';

export async function policyTestCommand(args: string[], io: CommandIO): Promise<number> {
  const { positionals } = parseCommandArgs('policy test', args, {}, COMMAND_HELP['policy test'].usage);
  if (positionals.length === 0) throw new UserError(`policy test: name at least one policy\nusage: ${COMMAND_HELP['policy test'].usage}`);
  let failed = 0;
  let passed = 0;
  for (const ref of positionals) {
    const loaded = await loadAny(ref, { cwd: io.cwd, env: io.env });
    const engine = compilePolicy(loaded, { env: io.env, projectRoot: io.cwd });
    const tests = loaded.policy.tests ?? [];
    const results = await runPolicyTests(tests, engine);
    await write(io.stdout, `${ref}: ${tests.length} test(s)\n`);
    for (const r of results) {
      if (r.ok) passed++;
      else failed++;
      await write(io.stdout, `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}\n${r.failures.map((f) => `       ${f}\n`).join('')}`);
    }
  }
  await write(io.stdout, `${passed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT_CHECK_FAILED : EXIT_OK;
}
