/**
 * Milliseconds on a monotonic clock, for durations and deadlines. Not `performance.now()`: the
 * `performance` global loads node:perf_hooks on first use, a few ms of CPU that start-up would pay
 * in the first request's handler; process.hrtime is already loaded.
 */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
