/**
 * What the channels that carry structured values share (parameters, logs): field rules by key path, an
 * allow-list, value rules; merged child-first, checked, and applied by one walk.
 */
import { REDACTED } from '../redact/actions.ts';
import type { FindingSink } from '../redact/findings.ts';
import { REMOVE, scrubString } from '../redact/text.ts';
import { walkValue, type WalkPolicy } from '../redact/walk.ts';
import type { StructuredChannelPolicy } from '../policy/types.ts';
import { asList, type ChannelProcessor, type SectionChecker } from './definition.ts';

/**
 * A child's structured section on top of its parent's: the child's field and value rules come first (first
 * match wins), the rest is the child's where it says.
 *
 * @example mergeStructured({ values: [parentRule] }, { values: [childRule] }).values // [childRule, parentRule]
 */
export function mergeStructured<S extends StructuredChannelPolicy>(parent: S, child: S): S {
  const merged: S = { ...parent, ...child };
  if (parent.fields || child.fields) merged.fields = [...(child.fields ?? []), ...(parent.fields ?? [])];
  if (parent.values || child.values) merged.values = [...asList(child.values), ...asList(parent.values)];
  return merged;
}

/**
 * The checks of a structured section: key paths parse, actions and selectors are valid.
 *
 * @example checkStructured(section, undefined, checker);
 */
export function checkStructured(own: StructuredChannelPolicy, _merged: unknown, check: SectionChecker): void {
  own.fields?.forEach((f, i) => {
    check.keyPath(['fields', i, 'path'], f.path);
    check.action(['fields', i, 'action'], f.action);
  });
  own.allowlist?.forEach((p, i) => check.keyPath(['allowlist', i], p));
  check.valueRules(['values'], own.values);
}

/**
 * A processor that scrubs a text with the walk's value rules and a value with the walk.
 *
 * @example structuredProcessor(ctx.walk(section, ctx.valueRules(section?.values))).scrubText('a@b.co', sink)
 */
export function structuredProcessor(walk: WalkPolicy): ChannelProcessor {
  return {
    valueRules: walk.values,
    scrubText(text: string, sink: FindingSink) {
      const out = scrubString(text, walk.values, '$', sink);
      return { text: out === REMOVE ? REDACTED : out };
    },
    scrubValue(value: unknown, sink: FindingSink) {
      const out = walkValue(value, walk, sink);
      return { value: out === REMOVE ? null : out };
    },
  };
}
