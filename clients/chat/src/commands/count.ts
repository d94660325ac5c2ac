/** A command's optional count argument: empty is 1; anything but a positive integer is undefined. */
export function positiveCount(args: string, fallback = 1): number | undefined {
  if (args === '') return fallback;
  return /^\d+$/.test(args) && Number(args) >= 1 ? Number(args) : undefined;
}

/** `N` of `/edit N`, `/cancel N`: a position in the queue (1-based), or undefined. */
export function queuePosition(arg: string | undefined, length: number): number | undefined {
  if (!arg || !/^\d+$/.test(arg)) return undefined;
  const n = Number(arg);
  return n >= 1 && n <= length ? n : undefined;
}
