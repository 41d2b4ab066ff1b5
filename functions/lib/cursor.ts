import { BadRequestError } from '#core/errors';

/** Opaque pagination cursors: base64url JSON. A tampered cursor is a 400, never a 500. */
export const encodeCursor = (state: unknown): string =>
  Buffer.from(JSON.stringify(state)).toString('base64url');

export const decodeCursor = <T>(
  cursor: string | undefined,
  isValid: (value: unknown) => value is T,
): T | undefined => {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // Falls through to the error below.
  }
  throw new BadRequestError('The cursor is not one this API returned.');
};
