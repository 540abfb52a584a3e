// Public API of egress-guard (re-exports only).
export { createEngine, loadAny, DEFAULT_POLICY } from './policy/create.ts';
export { compilePolicy, PolicyCompileError, BLOCKED_PLACEHOLDER } from './policy/engine.ts';
export type { Engine, EngineOptions, TextResult, ValueResult, ErrorResult, ExplainedSpan } from './policy/engine.ts';
export { loadPolicy, loadPolicyText, resolvePolicyObject } from './policy/load.ts';
export { PolicyError } from './policy/errors.ts';
export type { PolicyIssue } from './policy/errors.ts';
export { runPolicyTests } from './policy/test-runner.ts';
export type { PolicyTestResult } from './policy/test-runner.ts';
export { checkRegexSafety } from './policy/regex-safety.ts';
export { canonicalJson } from './policy/canonical.ts';
export * from './policy/types.ts';
export { BUILTIN_DETECTORS } from './detect/catalogue/index.ts';
export { compileScanner } from './detect/scanner.ts';
export type { Scanner } from './detect/scanner.ts';
export type { DetectorSpec, Match, ValidatorName } from './detect/types.ts';
export type { Finding } from './redact/findings.ts';
export { LocationKeyring, generateLocationKeySet, CryptoError } from './crypto/jose.ts';
