/** `egress-guard policy explain`: which detectors and rules fired where, matched text masked. */
import { mask } from '../redact/actions.ts';
import { inputLines, parseRecord } from './input.ts';
import { EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { channelOption, engineFromOptions } from './policy-options.ts';
import { COMMAND_HELP } from './usage.ts';

export async function policyExplainCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'policy explain',
    args,
    { policy: { type: 'string' }, channel: { type: 'string' } },
    COMMAND_HELP['policy explain'].usage,
  );
  const channel = channelOption(values.channel, 'policy explain');
  if (channel === 'locations') {
    throw new UserError('policy explain: the locations channel has no detectors (every location is encrypted, hashed or removed as a whole)');
  }
  const engine = await engineFromOptions(values, io);
  await write(io.stdout, `policy ${engine.identity.name} v${engine.identity.version} (sha256 ${engine.identity.sha256.slice(0, 12)}), channel ${channel}\n`);
  let lineNo = 0;
  let total = 0;
  for await (const line of await inputLines(positionals[0], io)) {
    lineNo++;
    const record = parseRecord(line);
    const out: string[] = [];
    if (record.structured) {
      const r = engine.scrubValue(record.value, channel);
      if (r.dropped !== undefined) out.push(`  dropped by drop rule ${JSON.stringify(r.dropped)}`);
      for (const f of r.findings) out.push(`  ${f.path}: ${f.detector} -> ${f.action}${f.count > 1 ? ` (x${f.count})` : ''}`);
    } else {
      const dropped = engine.scrubText(line, channel).dropped;
      if (dropped !== undefined) out.push(`  dropped by drop rule ${JSON.stringify(dropped)}`);
      else {
        for (const s of engine.explainText(line, channel)) {
          out.push(`  col ${s.start + 1}-${s.end}: ${s.detector} -> ${s.action}  ${JSON.stringify(masked(line.slice(s.start, s.end)))}`);
        }
      }
    }
    total += out.length;
    if (out.length > 0) await write(io.stdout, `line ${lineNo}:\n${out.join('\n')}\n`);
  }
  await write(io.stdout, `${lineNo} line(s), ${total} finding(s)\n`);
  return EXIT_OK;
}

/** Long tokens keep their last 4 characters, to be recognisable; anything shorter (a password) shows none. */
function masked(text: string): string {
  return text.length >= 20 ? mask(text, 4) : '*'.repeat(text.length);
}
