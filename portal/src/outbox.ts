import { api, OfflineError, ProblemError, unwrap } from './api/client.ts';
import type { FindingEntry } from './api/types.ts';

/**
 * Findings recorded without network wait here, in IndexedDB, and are sent when
 * the network returns: each entry once (deleted after the API accepted it). A
 * 409 (the inspection moved on) marks the entry `conflict`: it stays on the
 * device and is shown to the inspector, never dropped silently.
 */
export interface OutboxEntry {
  id: string;
  inspectionId: string;
  body: { version: number; visit: { date: string; durationMinutes: number }; indicators: FindingEntry[] };
  createdAt: string;
  state: 'pending' | 'conflict';
  problem?: { status: number; title: string; detail: string };
}

const open = (): Promise<IDBDatabase> =>
  new Promise((resolve, reject) => {
    const request = indexedDB.open('dudao', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('outbox', { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

const tx = async <T>(
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> => {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const request = work(db.transaction('outbox', mode).objectStore('outbox'));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).finally(() => db.close());
};

export const outboxEntries = () =>
  tx<OutboxEntry[]>('readonly', (s) => s.getAll() as IDBRequest<OutboxEntry[]>);
export const putEntry = (entry: OutboxEntry) => tx('readwrite', (s) => s.put(entry));
export const deleteEntry = (id: string) => tx('readwrite', (s) => s.delete(id));

const listeners = new Set<() => void>();
export const onOutboxChange = (listener: () => void) => {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
};
const changed = () => {
  for (const listener of listeners) listener();
};

export const enqueueFindings = async (inspectionId: string, body: OutboxEntry['body']) => {
  await putEntry({
    id: `${inspectionId}:${Date.now()}`,
    inspectionId,
    body,
    createdAt: new Date().toISOString(),
    state: 'pending',
  });
  changed();
};

export const discardEntry = async (id: string) => {
  await deleteEntry(id);
  changed();
};

let flushing: Promise<number> | undefined;

/** Sends every pending entry, oldest first; returns how many the API accepted. One flush at a time. */
export const flushOutbox = (): Promise<number> => {
  flushing ??= (async () => {
    let sent = 0;
    const entries = (await outboxEntries())
      .filter((e) => e.state === 'pending')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const entry of entries) {
      try {
        await unwrap(
          api().PUT('/inspections/{id}/findings', {
            params: { path: { id: entry.inspectionId } },
            body: entry.body as never,
          }),
        );
        await deleteEntry(entry.id);
        sent++;
      } catch (error) {
        if (error instanceof OfflineError) break;
        if (error instanceof ProblemError)
          await putEntry({
            ...entry,
            state: 'conflict',
            problem: { status: error.status, title: error.title, detail: error.detail },
          });
        else throw error;
      }
    }
    changed();
    return sent;
  })().finally(() => {
    flushing = undefined;
  });
  return flushing;
};
