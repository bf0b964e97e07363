import type { RegisterCommand } from '../context.ts';

/**
 * Every CLI command, one module each. Add a line here when adding a command file.
 */
export const commands: RegisterCommand[] = [];
