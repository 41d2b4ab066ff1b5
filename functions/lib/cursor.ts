import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequestError, say } from '#core/errors';

/**
 * Pagination cursors.
 *
 * Adapters put where a list stopped (DynamoDB's LastEvaluatedKey, a county
 * index…) into an inner cursor, base64url JSON, and check its shape when it
 * comes back. At the HTTP edge every cursor is sealed: an HMAC over the inner
 * cursor and what it belongs to (the route, the caller's role and scope, the
 * query's other parameters), with a key from configuration. A cursor that was
 * changed, made by hand, or taken from another list or another caller is a
 * 400 before it reaches any store.
 */
export const encodeCursor = (state: unknown): string =>
  Buffer.from(JSON.stringify(state)).toString('base64url');

const notOurs = () =>
  new BadRequestError(
    say('该游标不是本接口为此列表返回的游标。', 'The cursor is not one this API returned for this list.'),
    [
      {
        path: 'query.cursor',
        message: say(
          '请传入同一列表上一页的游标，或不传',
          'pass the cursor of the previous page of the same list, or none',
        ),
      },
    ],
  );

/** The error for a cursor that is not one of this list's (also when a store refuses its start key). */
export const cursorRejected = notOurs;

/**
 * Whether a value can be a DynamoDB ExclusiveStartKey of the main or audit
 * table: the table's `pk` and `sk` strings and at most two index attributes,
 * each a string or a number. (Which attributes an index needs is DynamoDB's to
 * check: a start key it refuses is answered as a foreign cursor, see
 * `withCursorCheck`.)
 */
export const isStartKey = (v: unknown): v is Record<string, string | number> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const entries = Object.entries(v);
  return (
    entries.length >= 2 &&
    entries.length <= 4 &&
    typeof (v as { pk?: unknown }).pk === 'string' &&
    typeof (v as { sk?: unknown }).sk === 'string' &&
    entries.every(([, x]) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))
  );
};

/**
 * Runs a read that starts from a cursor's key: DynamoDB refusing that key
 * (ValidationException: not this index's key, not in the key condition's
 * range) means the cursor is not this list's, a 400, never a 500.
 */
export const withCursorCheck = async <T>(fromCursor: boolean, read: () => Promise<T>): Promise<T> => {
  try {
    return await read();
  } catch (error) {
    if (fromCursor && (error as { name?: string }).name === 'ValidationException') throw notOurs();
    throw error;
  }
};

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
  throw notOurs();
};

/** Seals and unseals cursors with `key`, each bound to a description of the list it pages through. */
export const cursorSeal = (key: Buffer) => {
  const mac = (binding: string, inner: string) =>
    createHmac('sha256', key).update(binding).update('\n').update(inner).digest().subarray(0, 18);
  return {
    seal: (binding: string, inner: string): string =>
      `${Buffer.from(inner).toString('base64url')}.${mac(binding, inner).toString('base64url')}`,
    unseal: (binding: string, sealed: string): string => {
      const dot = sealed.lastIndexOf('.');
      if (dot <= 0) throw notOurs();
      const inner = Buffer.from(sealed.slice(0, dot), 'base64url').toString('utf8');
      const given = Buffer.from(sealed.slice(dot + 1), 'base64url');
      const expected = mac(binding, inner);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notOurs();
      return inner;
    },
  };
};
export type CursorSeal = ReturnType<typeof cursorSeal>;
