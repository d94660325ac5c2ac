import type { Connection } from '../connection.js';
import type { ThreadView } from '../thread-view.js';
import type { Style } from '../view/style.js';

/** What a slash command can see and do; one command per file (commands/*.ts). */
export interface CommandContext {
  /** The text after the command's name, trimmed. */
  args: string;
  style: Style;
  connection: Connection;
  /** The open thread (undefined before the first prompt of a new one). */
  threadId: string | undefined;
  view: ThreadView | undefined;
  print(lines: string[]): void;
  /** Opens a thread (prints its history), or a new one to be created by the next prompt. */
  switchTo(threadId: string | undefined): Promise<void>;
  /**
   * Puts text in the input line for the person to edit; with `onSubmit`, Enter hands the edited
   * text to it instead of sending a prompt (Esc or Ctrl-C drops the edit).
   */
  setInput(text: string, edit?: InputEdit): void;
  /** Thread ids of the last /threads listing, so `/switch 2` works. */
  listed: string[];
  commands: readonly SlashCommand[];
}

export interface SlashCommand {
  name: string;
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<void>;
}

/** What an input line loaded by a command is for: its status line and what Enter does. */
export interface InputEdit {
  label: string;
  onSubmit(text: string): Promise<void>;
}
