import { posix } from 'node:path';
import { RULE_LIMITS, type ApprovalAnswer, type ApprovalChoice, type ApprovalKind, type ApprovalRule, type RuleDraft, type RuleEffect, type RuleMatch, type RuleScope } from '@threadline/protocol';

/**
 * Approval rules, decided without I/O: what an approval is about (its subject), the rule proposed
 * for it, whether a stored rule decides it (a matching deny wins), and what a client's answer
 * stores. When in doubt a rule does not match: the person is asked.
 */

/** What an approval is about, as the engine reported it (absent fields: unknown, nothing matches on them). */
export interface ApprovalSubject {
  kind: ApprovalKind;
  /** The tool's name. */
  tool?: string;
  /** A shell command exactly as it will run. */
  command?: string;
  /** The file a tool uses: absolute and normalised (no `.` or `..` segments). */
  path?: string;
}

/** Where the approval is asked: the thread and its working directory. */
export interface RuleSite {
  threadId: string;
  cwd?: string;
}

/** The subject of an engine's request; a relative path is resolved against `cwd` (none: no path). */
export function subjectOf(request: { kind: ApprovalKind; tool?: string; command?: string; path?: string }, cwd: string | undefined): ApprovalSubject {
  const subject: ApprovalSubject = { kind: request.kind };
  if (request.tool) subject.tool = request.tool;
  if (request.command !== undefined) subject.command = request.command;
  const path = request.path !== undefined ? normalisePath(request.path, cwd) : undefined;
  if (path !== undefined) subject.path = path;
  return subject;
}

/** An absolute, lexically normalised path (`/a/b/../c` → `/a/c`); undefined when it cannot be one. */
export function normalisePath(path: string, cwd: string | undefined): string | undefined {
  if (path.length === 0 || path.includes('\0')) return undefined;
  if (path.startsWith('/')) return posix.resolve(path);
  if (!cwd?.startsWith('/')) return undefined;
  return posix.resolve(cwd, path);
}

/** A working directory as rules compare it: absolute, normalised, no trailing slash. */
export function normaliseDir(cwd: string | undefined): string | undefined {
  return cwd?.startsWith('/') && !cwd.includes('\0') ? posix.resolve(cwd) : undefined;
}

/**
 * Characters after which a command prefix never matches: anything the shell treats as more than
 * a plain word (separators, redirections, expansions, quoting escapes, globs, subshells), and
 * control or invisible characters that could hide a second command from the reader.
 */
const SHELL_META = /[;&|<>$`\\(){}*?[\]!\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|(^|\s)[~#]/;

/** The command's words (split on blanks), or undefined when it has a metacharacter anywhere. */
export function plainWords(command: string): string[] | undefined {
  if (SHELL_META.test(command)) return undefined;
  const words = command.split(/[ \t]+/).filter(Boolean);
  return words.length > 0 ? words : undefined;
}

/** A second word that names a subcommand (`git status`, `npm test`), not an option or a file. */
const SUBCOMMAND = /^[a-z][a-z0-9-]*$/;

/** The proposed prefix of a command: its first word, and its second when that names a subcommand. */
export function commandPrefixOf(command: string): string | undefined {
  const words = command.trim().split(/[ \t]+/).filter(Boolean);
  const [first, second] = words;
  if (first === undefined || SHELL_META.test(first)) return undefined;
  return second !== undefined && SUBCOMMAND.test(second) ? `${first} ${second}` : first;
}

/** Whether `command`'s words begin with `prefix`'s words, and the command has no metacharacter at all. */
export function commandMatches(prefix: string, command: string): boolean {
  const wanted = plainWords(prefix);
  const words = plainWords(command);
  if (!wanted || !words || words.length < wanted.length) return false;
  return wanted.every((w, i) => words[i] === w);
}

/** A glob as a regular expression: `**` any depth (`/x/**` includes `/x`), `*` and `?` within one name. */
function globRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/';
      const slashBefore = source.endsWith('/');
      if (slashBefore && (slashAfter || i + 2 === glob.length)) {
        // `/**/` is zero or more whole names; a trailing `/**` also matches the directory itself.
        source = source.slice(0, -1) + (slashAfter ? '(?:/.*)?/' : '(?:/.*)?');
        i += slashAfter ? 2 : 1;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** Whether the normalised absolute `path` matches `glob` (normalised too, so `..` cannot widen or dodge it). */
export function pathMatches(glob: string, path: string): boolean {
  const normal = normaliseGlob(glob);
  return normal !== undefined && path.startsWith('/') && posix.normalize(path) === path && globRegExp(normal).test(path);
}

/** A stored glob: absolute and lexically normalised; undefined when it is not absolute. */
export function normaliseGlob(glob: string): string | undefined {
  if (!glob.startsWith('/') || glob.includes('\0')) return undefined;
  const normal = posix.normalize(glob);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

export function ruleMatches(match: RuleMatch, subject: ApprovalSubject): boolean {
  if (match.tool !== undefined) return subject.tool === match.tool;
  if (match.commandPrefix !== undefined) return subject.command !== undefined && commandMatches(match.commandPrefix, subject.command);
  if (match.pathGlob !== undefined) return subject.path !== undefined && pathMatches(match.pathGlob, subject.path);
  return false;
}

export function scopeApplies(scope: RuleScope, site: RuleSite): boolean {
  switch (scope.kind) {
    case 'global':
      return true;
    case 'thread':
      return scope.threadId === site.threadId;
    case 'workspace':
      return site.cwd !== undefined && normaliseDir(scope.cwd) === normaliseDir(site.cwd);
  }
}

/** The rule that decides the subject here: a matching deny wins over any matching allow; undefined: ask. */
export function decideByRules(rules: readonly ApprovalRule[], subject: ApprovalSubject, site: RuleSite): ApprovalRule | undefined {
  let allow: ApprovalRule | undefined;
  for (const rule of rules) {
    if (!scopeApplies(rule.scope, site) || !ruleMatches(rule.match, subject)) continue;
    if (rule.effect === 'deny') return rule;
    allow ??= rule;
  }
  return allow;
}

/**
 * The rule proposed for a subject: the command's prefix for a shell command, the file's
 * directory + `/**` for a file, the tool's name for another tool; scoped to the workspace (the
 * thread's cwd), or global without one. Undefined when nothing safe can be proposed (a shell
 * call without its command would otherwise become "every command").
 */
export function proposeRule(subject: ApprovalSubject, site: RuleSite): RuleDraft | undefined {
  const draft = draftRule(subject, site);
  // A rule the wire could not carry back (past RULE_LIMITS) is not proposed.
  const [key, value] = draft ? Object.entries(draft.match)[0]! : [];
  return draft && value!.length <= RULE_LIMITS[key as keyof typeof RULE_LIMITS] ? draft : undefined;
}

function draftRule(subject: ApprovalSubject, site: RuleSite): RuleDraft | undefined {
  const cwd = normaliseDir(site.cwd);
  const scope: RuleScope = cwd ? { kind: 'workspace', cwd } : { kind: 'global' };
  if (subject.command !== undefined) {
    const prefix = commandPrefixOf(subject.command);
    return prefix === undefined ? undefined : { match: { commandPrefix: prefix }, scope };
  }
  if (subject.path !== undefined) {
    const dir = posix.dirname(subject.path);
    return { match: { pathGlob: dir === '/' ? '/**' : `${dir}/**` }, scope };
  }
  if (subject.kind === 'tool' && subject.tool !== undefined) return { match: { tool: subject.tool }, scope };
  return undefined;
}

export const ALL_CHOICES: readonly ApprovalChoice[] = ['approve', 'approveForThread', 'approveAlways', 'deny', 'denyAlways', 'cancel'];
const ONCE_CHOICES: readonly ApprovalChoice[] = ['approve', 'deny', 'cancel'];

/** What the client may answer: the rule-making decisions need a proposed rule. */
export function availableChoices(proposed: RuleDraft | undefined): ApprovalChoice[] {
  return [...(proposed ? ALL_CHOICES : ONCE_CHOICES)];
}

/** A rule an answer stores, before it gets its id and time. */
export interface NewRule {
  effect: RuleEffect;
  match: RuleMatch;
  scope: RuleScope;
}

/**
 * What an answer decides and stores. `approveForThread` stores an allow rule for the proposed
 * match, scoped to this thread; `approveAlways` / `denyAlways` store the answer's rule (else the
 * proposed one). A rule scoped to another thread is not stored (a client answers for its own
 * thread); without any rule the answer decides once. `cancel` is a deny.
 */
export function settleAnswer(answer: ApprovalAnswer, proposed: RuleDraft | undefined, site: RuleSite): { decision: 'approve' | 'deny'; rule?: NewRule } {
  const decision = answer.decision === 'approve' || answer.decision === 'approveForThread' || answer.decision === 'approveAlways' ? 'approve' : 'deny';
  let draft: RuleDraft | undefined;
  if (answer.decision === 'approveForThread') draft = proposed && { match: proposed.match, scope: { kind: 'thread', threadId: site.threadId } };
  else if (answer.decision === 'approveAlways' || answer.decision === 'denyAlways') draft = answer.rule ?? proposed;
  if (!draft || (draft.scope.kind === 'thread' && draft.scope.threadId !== site.threadId)) return { decision };
  return { decision, rule: { effect: decision === 'approve' ? 'allow' : 'deny', match: normaliseMatch(draft.match), scope: normaliseScope(draft.scope) } };
}

function normaliseMatch(match: RuleMatch): RuleMatch {
  if (match.tool !== undefined) return { tool: match.tool };
  if (match.commandPrefix !== undefined) return { commandPrefix: match.commandPrefix.trim().split(/[ \t]+/).join(' ') };
  return { pathGlob: normaliseGlob(match.pathGlob!) ?? match.pathGlob! };
}

function normaliseScope(scope: RuleScope): RuleScope {
  return scope.kind === 'workspace' ? { kind: 'workspace', cwd: normaliseDir(scope.cwd) ?? scope.cwd } : scope;
}
