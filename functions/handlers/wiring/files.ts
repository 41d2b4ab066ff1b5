import type { FileStore } from '#core/storage';

/** For a step not granted a bucket its ports mention: touching it is a wiring bug, never a user error. */
export const notGranted = (what: string): FileStore => {
  const fail = () => Promise.reject(new Error(`This function is not granted ${what}.`));
  return { readJson: fail, writeJson: fail, write: fail };
};
