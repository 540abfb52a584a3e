#!/usr/bin/env node
import { auditReport } from './audit-report-command.ts';
import { main } from './main.ts';

main(auditReport);
