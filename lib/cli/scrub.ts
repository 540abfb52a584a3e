/** `egress-guard scrub`: a filter for existing pipelines, one record per line. */
import { inputLines, parseRecord } from './input.ts';
import { EXIT_OK, parseCommandArgs, write, type CommandIO } from './io.ts';
import { channelOption, engineFromOptions } from './policy-options.ts';
import { COMMAND_HELP } from './usage.ts';

export async function scrubCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'scrub',
    args,
    { policy: { type: 'string' }, channel: { type: 'string' }, key: { type: 'string' } },
    COMMAND_HELP.scrub.usage,
  );
  const channel = channelOption(values.channel, 'scrub');
  const engine = await engineFromOptions(values, io);
  for await (const line of await inputLines(positionals[0], io)) {
    let out: string | undefined;
    if (channel === 'locations') {
      // Every line is one location (it may be encrypted, which is asynchronous).
      out = line === '' ? '' : (await engine.scrubLocation(line)).text;
    } else {
      const record = parseRecord(line);
      if (record.structured) {
        const r = engine.scrubValue(record.value, channel);
        if (r.dropped === undefined) out = JSON.stringify(r.value) ?? 'null';
      } else {
        const r = engine.scrubText(line, channel);
        if (r.dropped === undefined) out = r.text;
      }
    }
    if (out !== undefined) await write(io.stdout, out.replaceAll('\n', '\\n') + '\n');
  }
  return EXIT_OK;
}

