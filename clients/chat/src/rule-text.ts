import type { RuleDraft } from '@threadline/protocol';

/** A rule's match in a few words: `` `git status` commands``, `writes to /app/src/**`, `the web_fetch tool`. */
export function matchText(match: RuleDraft['match']): string {
  if (match.commandPrefix !== undefined) return `\`${match.commandPrefix}\` commands`;
  if (match.pathGlob !== undefined) return `files under ${match.pathGlob}`;
  return `the ${match.tool ?? '?'} tool`;
}

/** Where a rule applies, as a person reads it. */
export function scopeText(scope: RuleDraft['scope'], currentThreadId?: string): string {
  if (scope.kind === 'workspace') return `in ${scope.cwd}`;
  if (scope.kind === 'global') return 'everywhere';
  return scope.threadId === currentThreadId ? 'in this thread' : `in thread ${scope.threadId}`;
}
