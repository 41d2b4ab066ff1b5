/**
 * Polls `probe` until it returns something other than undefined, failing with
 * a clear message after `timeoutMs`. Bounded waits instead of fixed sleeps.
 */
export const waitFor = async <T>(
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; what: string },
): Promise<T> => {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
  const cause = lastError ? ` (last error: ${(lastError as Error).message})` : '';
  throw new Error(`Timed out after ${opts.timeoutMs ?? 10_000} ms waiting for ${opts.what}${cause}`);
};
