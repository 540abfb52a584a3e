#!/usr/bin/env node
/**
 * `audit-report`: reserved entry point. The audit ledger it reports on is not built yet, so it says so
 * and exits 2 rather than printing an empty, reassuring report.
 */
import { UserError, type CommandIO } from './io.ts';
import { main } from './main.ts';

async function auditReport(_args: string[], _io: CommandIO): Promise<number> {
  throw new UserError('audit-report: the audit ledger is not available in this version of egress-guard; no report can be made');
}

main(auditReport);
