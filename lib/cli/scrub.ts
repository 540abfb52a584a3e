/** `egress-guard scrub`: a filter for existing pipelines, one record per line. */
import { inputLineBatches, parseRecord } from './input.ts';
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
  for await (const lines of await inputLineBatches(positionals[0], io)) {
    // One write per chunk of input: a pipeline of millions of lines pays for a write per chunk, not per line.
    let out = '';
    for (const line of lines) {
      let scrubbed: string | undefined;
      if (channel === 'locations') {
        // Every line is one location (it may be encrypted, which is asynchronous).
        scrubbed = line === '' ? '' : (await engine.scrubLocation(line)).text;
      } else {
        const record = parseRecord(line);
        if (record.structured) {
          const r = engine.scrubValue(record.value, channel);
          if (r.dropped === undefined) scrubbed = JSON.stringify(r.value) ?? 'null';
        } else {
          const r = engine.scrubText(line, channel);
          if (r.dropped === undefined) scrubbed = r.text;
        }
      }
      if (scrubbed !== undefined) out += scrubbed.replaceAll('\n', '\\n') + '\n';
    }
    if (out !== '') await write(io.stdout, out);
  }
  return EXIT_OK;
}

