const SUMMARY_CHARS = 200;

/** An item's `summary` is its text cut to 200 characters (PROTOCOL.md §3). */
export function summarize(text: string | undefined): string {
  if (!text) return '';
  const chars = Array.from(text.slice(0, SUMMARY_CHARS * 2));
  return chars.length > SUMMARY_CHARS ? chars.slice(0, SUMMARY_CHARS).join('') : chars.join('');
}
