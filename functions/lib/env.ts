/**
 * Reads a required environment variable, failing at cold start with the
 * variable's name rather than later with a confusing SDK error.
 */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
};
