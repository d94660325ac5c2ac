import type { SlashCommand } from './command.js';
import { cancel } from './cancel.js';
import { compact } from './compact.js';
import { exportThread } from './export.js';
import { usage } from './usage.js';
import { edit } from './edit.js';
import { fork } from './fork.js';
import { move } from './move.js';
import { revert } from './revert.js';
import { unrevert } from './unrevert.js';
import { help } from './help.js';
import { newThread } from './new.js';
import { queue } from './queue.js';
import { rules } from './rules.js';
import { switchThread } from './switch.js';
import { threads } from './threads.js';

/** Every slash command; a new one is a file in this folder and a line here. */
export const COMMANDS: readonly SlashCommand[] = [threads, switchThread, newThread, fork, revert, unrevert, compact, usage, exportThread, queue, rules, edit, move, cancel, help];

export function findCommand(name: string): SlashCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}
