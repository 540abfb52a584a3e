/**
 * Traceback scrubbing: the header (which repeats the error message) is replaced by the scrubbed
 * `Type: message`, frames are limited, absolute paths made relative to the project or removed, and
 * usernames in home-directory paths replaced by `~`.
 */
import { sep } from 'node:path';

export interface StackOptions {
  frames: number;
  paths: 'relative' | 'remove' | 'keep';
  usernames: 'remove' | 'keep';
  projectRoot: string;
}

const FRAME = /^\s+at\s/;
/**
 * /home/NAME, /Users/NAME, C:\Users\NAME (also in file:// URLs): the username is the second part, and
 * may hold spaces (`/Users/Jane Doe/...`) when a separator follows it.
 */
const HOME_DIR = /(\/home\/|\/Users\/|[A-Za-z]:\\Users\\|[A-Za-z]:\/Users\/)(?:[^/\\\r\n():]{1,64}(?=[/\\])|[^/\\\s():]+)/g;
const ABSOLUTE_PATH = /(?<![\w.:-])(?:file:\/\/)?(?:~?[\\/]|[A-Za-z]:[\\/])[^\s():]*[\\/]([^\s():/\\]+)/g;

/**
 * @param header the already scrubbed `Type: message` that replaces the stack's own header
 * @param rawMessage the error's message as it is: the stack's header repeats it, and lines of it that
 *   look like frames (`\n    at ...`) are message, not frames
 *
 * @example scrubStack(err.stack, 'Error: [REDACTED]', opts, (l) => l, err.message)
 */
export function scrubStack(stack: string, header: string, opts: StackOptions, scrubLine: (line: string) => string, rawMessage = ''): string {
  const lines = afterHeader(stack, rawMessage).split('\n');
  const firstFrame = lines.findIndex((l) => FRAME.test(l));
  const frames = firstFrame < 0 ? [] : lines.slice(firstFrame).filter((l) => FRAME.test(l));
  const kept = frames.slice(0, opts.frames).map((l) => scrubLine(scrubFramePaths(l, opts)));
  if (frames.length > kept.length) kept.push(`    ... ${frames.length - kept.length} more frames`);
  return [header, ...kept].join('\n');
}

/** The stack from the end of the message it starts with (V8: `Name: message\n    at ...`). */
function afterHeader(stack: string, rawMessage: string): string {
  if (rawMessage === '') return stack;
  const at = stack.indexOf(rawMessage);
  // Only where the header is: the first line holds the start of the message.
  const firstBreak = stack.indexOf('\n');
  return at >= 0 && (firstBreak < 0 || at <= firstBreak) ? stack.slice(at + rawMessage.length) : stack;
}

export function scrubFramePaths(line: string, opts: StackOptions): string {
  let out = line;
  if (opts.paths !== 'keep') {
    const root = opts.projectRoot.endsWith(sep) ? opts.projectRoot : opts.projectRoot + sep;
    out = out.replaceAll('file://' + root, '').replaceAll(root, '');
  }
  // Usernames before paths are removed: a username with a space would split the path in two.
  if (opts.usernames === 'remove') out = out.replace(HOME_DIR, '~');
  if (opts.paths === 'remove') out = out.replace(ABSOLUTE_PATH, '$1');
  return out;
}
