import type { SlashCommand } from './command.js';
import { cancel } from './cancel.js';
import { help } from './help.js';
import { newThread } from './new.js';
import { queue } from './queue.js';
import { switchThread } from './switch.js';
import { threads } from './threads.js';

/** Every slash command; a new one is a file in this folder and a line here. */
export const COMMANDS: readonly SlashCommand[] = [threads, switchThread, newThread, queue, cancel, help];

export function findCommand(name: string): SlashCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}
