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
// /home/NAME, /Users/NAME, C:\Users\NAME (also in file:// URLs): the username is the second part.
const HOME_DIR = /(\/home\/|\/Users\/|[A-Za-z]:\\Users\\|[A-Za-z]:\/Users\/)[^/\\\s):]+/g;
const ABSOLUTE_PATH = /(?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])[^\s():]*[\\/]([^\s():/\\]+)/g;

/** @param header the already scrubbed `Type: message` that replaces the stack's own header */
export function scrubStack(stack: string, header: string, opts: StackOptions, scrubLine: (line: string) => string): string {
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((l) => FRAME.test(l));
  const frames = firstFrame < 0 ? [] : lines.slice(firstFrame).filter((l) => FRAME.test(l));
  const kept = frames.slice(0, opts.frames).map((l) => scrubLine(scrubFramePaths(l, opts)));
  if (frames.length > kept.length) kept.push(`    ... ${frames.length - kept.length} more frames`);
  return [header, ...kept].join('\n');
}

export function scrubFramePaths(line: string, opts: StackOptions): string {
  let out = line;
  if (opts.paths !== 'keep') {
    const root = opts.projectRoot.endsWith(sep) ? opts.projectRoot : opts.projectRoot + sep;
    out = out.replaceAll('file://' + root, '').replaceAll(root, '');
  }
  if (opts.paths === 'remove') out = out.replace(ABSOLUTE_PATH, '$1');
  if (opts.usernames === 'remove') out = out.replace(HOME_DIR, '~');
  return out;
}
