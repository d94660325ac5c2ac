import { randomUUID } from 'node:crypto';
import { emitKeypressEvents } from 'node:readline';
import type { ThreadEvent } from '@threadline/protocol';
import { ApprovalQueue } from './approvals.js';
import type { ChatOptions } from './args.js';
import { COMMANDS, findCommand } from './commands/index.js';
import type { CommandContext, InputEdit } from './commands/command.js';
import type { Connection } from './connection.js';
import type { ThreadFeed } from './feed.js';
import { liveArea } from './live-area.js';
import { oneLine } from './one-line.js';
import type { ThreadView } from './thread-view.js';
import { LineEditor, type Key } from './view/line-editor.js';
import { Screen } from './view/screen.js';
import { colourWanted, makeStyle } from './view/style.js';

/** `threadline chat` on a terminal: keys in, the thread's events out (see CHAT_HELP for keys). */
export class ChatApp {
  private readonly style = makeStyle(colourWanted(process.stdout));
  private readonly screen = new Screen(process.stdout);
  private readonly editor = new LineEditor();
  private connection!: Connection;
  private runtime!: typeof import('./runtime.js');
  /** Settles when the server is up and the thread chosen: what is typed before waits for it. */
  private loaded!: Promise<void>;
  private view: ThreadView | undefined;
  private feed: ThreadFeed | undefined;
  private threadId: string | undefined;
  private creating: Promise<string> | undefined;
  private readonly approvals = new ApprovalQueue(() => this.refresh());
  private readonly listed: string[] = [];
  private editing = false;
  /** An input line a command loaded (/edit N): Enter goes to it, not to startTurn. */
  private inputEdit: InputEdit | undefined;
  private exitArmed = false;
  private pasting = false;
  private notice = 'starting threadline…';
  private exiting = false;

  constructor(private readonly options: ChatOptions) {}

  async start(): Promise<void> {
    let done!: () => void;
    this.loaded = new Promise((resolve) => (done = resolve));
    try {
      await this.load();
    } finally {
      done();
    }
  }

  private async load(): Promise<void> {
    const stdin = process.stdin;
    emitKeypressEvents(stdin);
    stdin.setRawMode(true);
    // Bracketed paste: a pasted newline is part of the prompt, not Enter.
    process.stdout.write('\x1b[?2004h');
    stdin.on('keypress', (str: string | undefined, key: Key) => this.onKey(str, key ?? {}));
    process.stdout.on('resize', () => this.refresh());
    // Killed or the terminal closed: give the terminal back and shut the server down first.
    process.once('SIGTERM', () => void this.exit(143));
    process.once('SIGHUP', () => void this.exit(129));
    // The prompt first (typing works at once), then the protocol and the server.
    this.refresh(true);
    this.runtime = await import('./runtime.js');
    const { Connection, ServerExitedError, FatalError, chooseThread, describeExit, errorText } = this.runtime;
    this.connection = new Connection({
      bin: process.argv[1]!,
      args: this.options.serveArgs,
      clientName: 'threadline-chat',
      approvals: true,
      onEvent: (event) => this.onEvent(event),
      onApproval: this.approvals.handler,
      onStderr: (line) => this.screen.print([this.style.dim(`server: ${line}`)]),
      onDied: (error) => {
        this.approvals.clear();
        this.screen.print([this.style.yellow(`the server ${describeExit(error)}; restarting it…`)]);
        this.notice = 'restarting the server…';
        this.refresh();
      },
      onRestarted: () => void this.afterRestart(),
      onGaveUp: (error) => this.exit(1, [this.style.red(`threadline chat: the server keeps failing (${describeExit(error)}); giving up`)]),
    });
    try {
      await this.connection.ready();
      const thread = await chooseThread(this.connection, this.options);
      this.notice = '';
      if (thread) await this.open(thread);
      else this.screen.print([this.style.dim('new thread: it is created with your first prompt')]);
    } catch (error) {
      // Whatever it is, the terminal is given back before the one line that says it.
      const known = error instanceof FatalError || error instanceof ServerExitedError;
      return this.exit(2, [], `threadline chat: ${known ? errorText(error) : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    this.refresh();
  }

  private onEvent(event: ThreadEvent): void {
    this.feed?.live(event);
    this.refresh();
  }

  /** Opens a thread: its history printed from the event log, then live events. */
  private async open(threadId: string | undefined, fresh = false): Promise<void> {
    this.feed?.stop();
    this.threadId = threadId;
    this.editing = false;
    this.view = undefined;
    this.feed = undefined;
    if (!threadId) return;
    const view = new this.runtime.ThreadView(threadId, this.style, (lines) => this.screen.print(lines));
    this.view = view;
    this.feed = new this.runtime.ThreadFeed(threadId, this.connection, (event) => view.apply(event), (error) => this.error(error));
    if (!fresh) this.screen.print([this.style.dim(`── thread ${threadId} ──`)]);
    await this.printCopiedHistory(view);
    await this.feed.catchUp();
    await this.feed.subscribe().catch((error: unknown) => this.error(error));
    await this.reloadQueue(view);
    if (!fresh) this.screen.print([this.style.dim(`── ${view.title || '(untitled)'} · ${this.feed.lastSeq} events ──`)]);
    this.refresh();
  }

  private async afterRestart(): Promise<void> {
    this.screen.print([this.style.yellow(`server restarted (pid ${this.connection.pid}); reloading the thread…`)]);
    this.notice = '';
    const feed = this.feed;
    if (feed && this.threadId) {
      await feed.catchUp();
      await feed.subscribe().catch((error: unknown) => this.error(error));
      if (this.view) await this.reloadQueue(this.view);
      // A restart leaves queued prompts pending (protocol §8): run them, nothing typed is lost.
      if (this.view && this.view.queue.length > 0 && !this.view.runningTurnId) {
        await this.connection.request('thread/drain', { threadId: this.threadId }).catch((e: unknown) => this.error(e));
      }
    }
    this.refresh();
  }

  /** A fork's copied turns are not in its log: read them, so the fork shows what its agent sees. */
  private async printCopiedHistory(view: ThreadView): Promise<void> {
    try {
      const { thread } = await this.connection.requestRetrying('thread/get', { threadId: view.threadId });
      const turns = await this.runtime.copiedTurns(this.connection, thread);
      if (turns.length === 0) return;
      this.screen.print([this.style.dim(`── copied from ${thread.forkedFrom!.threadId}: ${turns.length} turn${turns.length === 1 ? '' : 's'} ──`)]);
      view.replayTurns(turns);
    } catch (error) {
      this.error(error);
    }
  }

  /** The queue as the server stores it (thread/get's `queued`): what the log replay built may be stale. */
  private async reloadQueue(view: ThreadView): Promise<void> {
    try {
      const { queued } = await this.connection.requestRetrying('thread/get', { threadId: view.threadId });
      if (this.view === view) view.setQueue(queued);
    } catch (error) {
      this.error(error);
    }
  }

  private onKey(str: string | undefined, key: Key): void {
    if (this.exiting) return;
    if (key.name === 'paste-start') return void (this.pasting = true);
    if (key.name === 'paste-end') return void (this.pasting = false);
    if (this.pasting) {
      this.editor.insert(key.name === 'return' || key.name === 'enter' ? '\n' : (str ?? ''));
      return this.refresh(true);
    }
    const ctrlC = key.ctrl && key.name === 'c';
    if (!ctrlC) this.exitArmed = false;
    if (ctrlC) return void this.onCtrlC();
    // An approval's keys (y t Y n N) answer it on an empty prompt; text typed ahead goes on being text.
    const choice = this.approvals.first && this.editor.text === '' && !key.ctrl && !key.meta ? this.approvals.choiceFor(str ?? '') : undefined;
    if (choice) return this.approvals.first!.answer(choice.decision);
    if (key.ctrl && key.name === 'd') {
      if (this.editor.text === '') return void this.exit(0);
    } else if (key.name === 'return') {
      const text = this.editor.text;
      this.editor.clear();
      void this.submit(text, 'queue');
    } else if (key.name === 'enter') {
      this.editor.insert('\n'); // Ctrl-J: a newline in the prompt
    } else if (key.name === 'tab') {
      const text = this.editor.text;
      if (text.trim()) {
        this.editor.clear();
        void this.submit(text, 'steer');
      }
    } else if (key.name === 'up' && !this.editing) {
      const last = this.view?.lastPrompt;
      if (this.editor.text !== '') return;
      if (last === undefined) this.notice = 'no prompt to edit yet';
      else {
        this.editing = true;
        this.editor.set(last);
      }
    } else if (key.name === 'escape') {
      if (this.editing || this.inputEdit) this.editor.clear();
      this.editing = false;
      this.inputEdit = undefined;
    } else if (!this.editor.handle(str, key)) return;
    this.refresh(true);
  }

  private async onCtrlC(): Promise<void> {
    if (!this.connection) return this.exit(130);
    if (this.view?.runningTurnId && this.threadId) {
      this.notice = 'interrupting…';
      this.refresh(true);
      await this.connection
        .request('thread/interrupt', { threadId: this.threadId })
        .catch((error: unknown) => this.error(error));
      this.notice = '';
    } else if (this.editor.text !== '' || this.editing || this.inputEdit) {
      this.editor.clear();
      this.editing = false;
      this.inputEdit = undefined;
    } else if (this.exitArmed) {
      return this.exit(0);
    } else {
      this.exitArmed = true;
    }
    this.refresh(true);
  }

  private async submit(text: string, delivery: 'queue' | 'steer'): Promise<void> {
    const editing = this.editing;
    const inputEdit = this.inputEdit;
    this.editing = false;
    this.inputEdit = undefined;
    this.notice = '';
    if (!text.trim()) return this.refresh(true);
    this.refresh(true);
    await this.loaded;
    try {
      if (inputEdit) return await inputEdit.onSubmit(text);
      if (text.startsWith('/') && !editing) return await this.command(text.trim());
      if (editing && this.threadId) {
        await this.connection.request('thread/editLastTurn', { threadId: this.threadId, content: text });
        return;
      }
      const threadId = await this.ensureThread(text);
      const running = delivery === 'steer' ? this.view?.runningTurnId : undefined;
      // clientRequestId: resent after a server restart, the prompt is still admitted only once.
      const result = await this.connection.requestRetrying('thread/startTurn', {
        threadId,
        prompt: text,
        delivery,
        clientRequestId: randomUUID(),
        ...(running ? { expectedTurnId: running } : {}),
      });
      if (delivery === 'steer' && result.queued) this.notice = 'the engine could not take it now: queued instead';
    } catch (error) {
      this.error(error);
    } finally {
      this.refresh();
    }
  }

  private async ensureThread(firstPrompt: string): Promise<string> {
    if (this.threadId) return this.threadId;
    this.creating ??= (async () => {
      const { thread } = await this.connection.requestRetrying('thread/create', { title: oneLine(firstPrompt, 60), cwd: process.cwd() });
      await this.open(thread.id, true);
      this.screen.print([this.style.dim(`── new thread ${thread.id} ──`)]);
      return thread.id;
    })().finally(() => (this.creating = undefined));
    return this.creating;
  }

  private async command(line: string): Promise<void> {
    const [, name = '', args = ''] = /^\/(\S*)\s*(.*)$/s.exec(line) ?? [];
    const command = findCommand(name);
    this.screen.print([this.style.dim(line)]);
    if (!command) return void this.screen.print([this.style.red(`unknown command /${name} (try /help)`)]);
    const ctx: CommandContext = {
      args: args.trim(),
      style: this.style,
      connection: this.connection,
      threadId: this.threadId,
      view: this.view,
      print: (lines) => this.screen.print(lines),
      switchTo: async (id) => {
        if (id) await this.connection.requestRetrying('thread/get', { threadId: id });
        await this.open(id);
        if (!id) this.screen.print([this.style.dim('new thread: it is created with your next prompt')]);
      },
      setInput: (text, edit) => {
        this.editing = false;
        this.inputEdit = edit;
        this.editor.set(text);
        this.refresh(true);
      },
      listed: this.listed,
      commands: COMMANDS,
    };
    await command.run(ctx);
  }

  private error(error: unknown): void {
    this.screen.print([this.style.red(`error: ${this.runtime.errorText(error)}`)]);
    this.refresh();
  }

  /** Redraws the live area: streaming lines, tools, queue, approval, status and the prompt. */
  private refresh(now = false): void {
    if (this.exiting) return;
    const s = this.style;
    const typed = this.editor.text;
    const { view, editing, exitArmed, notice } = this;
    const editLabel = this.inputEdit?.label;
    this.screen.setLive(liveArea({ view, approval: this.approvals.first, typed, editing, editLabel, exitArmed, notice }, s));
    this.screen.setInput({ prefix: this.editing || editLabel ? s.yellow('✎ ') : s.cyan('› '), text: this.editor.text, cursor: this.editor.cursor });
    if (now) this.screen.render();
  }

  async exit(code: number, lines: string[] = [], stderrLine?: string): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    this.screen.close(lines);
    process.stdout.write('\x1b[?2004l');
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    if (stderrLine) process.stderr.write(`${stderrLine}\n`);
    await this.connection?.close().catch(() => {});
    process.exit(code);
  }
}
