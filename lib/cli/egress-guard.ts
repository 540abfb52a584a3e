#!/usr/bin/env node
import { egressGuard } from './commands.ts';
import { main } from './main.ts';

main(egressGuard);
