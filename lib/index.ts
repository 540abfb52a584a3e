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
export { canonicalJson } from './crypto/canonical.ts';
export { ACTION_NAMES } from './policy/types.ts';
export { CHANNELS } from './channels/registry.ts';
export type {
  Channel, ActionName, ActionSpec, DetectorSelector, ValueRule, FieldRule, StructuredChannelPolicy, LogLevel,
  LogsChannelPolicy, StackPolicy, ExceptionsChannelPolicy, LocationsChannelPolicy, ChannelsPolicy, CustomDetectorPolicy,
  KeyNamesPolicy, LimitsPolicy, PolicyTestCase, PolicyDocument, ResolvedPolicy, PolicyIdentity, SourcePosition, LoadedPolicy,
} from './policy/types.ts';
export { BUILTIN_DETECTORS } from './detect/catalogue/index.ts';
export { compileScanner } from './detect/scanner.ts';
export type { Scanner } from './detect/scanner.ts';
export type { DetectorSpec, Match, ValidatorName } from './detect/types.ts';
export type { Finding } from './redact/findings.ts';
export { LocationKeyring, generateLocationKeySet, CryptoError } from './crypto/jose.ts';
export { EgressGate, BLOCKED_PAYLOAD } from './egress/gate.ts';
export type { AuditHook, AuditRecord, GateSink, GateOptions } from './egress/gate.ts';
export type { Gate, RawOutbound, RawFlowRun, RawTaskRun, RawState, RawLogs, RawLogRecord, StateName } from './egress/gate-api.ts';
export type { GuardedItem, OutboundItem, OutboundKind } from './egress/types.ts';
export { Ledger, GENESIS } from './audit/ledger.ts';
export type { LedgerEntry, LedgerOptions, EntryType, CheckpointClaim } from './audit/ledger.ts';
export { readLedger, verifyCheckpoints } from './audit/verify.ts';
export type { LedgerProblem, LedgerReading, ProblemKind } from './audit/verify.ts';
export { buildReport, renderMarkdown, renderTable } from './audit/report.ts';
export type { Report, ReportItem, ReportFilters } from './audit/report.ts';
export { SigningKey } from './crypto/jose.ts';
export { flow, task, runFlow, DEFAULT_RESULTS_DIR, ResultWriteError, LocalResult, InlineResult, renderLocation, TemplateError, consoleSink, LOG_LEVELS } from './core/index.ts';
export type { Flow, RunContext, RunOptions, RunOutcome, RestartPlan, TaskOptions, Result, TemplateContext, LocalLogSink, LogInfo, TaskLogger } from './core/index.ts';
export { CloudClient, parseControlPlaneUrl } from './cloud/client.ts';
export type { CloudClientOptions, CloseResult } from './cloud/client.ts';
export { startControlPlane } from './cloud/server.ts';
export type { ControlPlane, ControlPlaneOptions } from './cloud/server.ts';
