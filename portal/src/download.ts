import { apiHeaders, ProblemError } from './api/client.ts';
import { config } from './config.ts';

/**
 * Downloads a file the API answers (a report as CSV/XLSX, an error report): an
 * authenticated GET, saved under the name its Content-Disposition gives (or
 * `fallbackName`). A problem answer is thrown as a ProblemError, shown like any other.
 */
export const downloadFromApi = async (
  path: string,
  query: Record<string, string | undefined>,
  fallbackName: string,
): Promise<void> => {
  const url = new URL(config().apiUrl + path);
  for (const [name, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(name, value);
  const response = await fetch(url, { headers: apiHeaders() });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
    throw new ProblemError(response.status, problem.title ?? response.statusText, problem.detail ?? '');
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const plain = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  saveBlob(await response.blob(), encoded ? decodeURIComponent(encoded) : (plain ?? fallbackName));
};

/** Saves a blob as a file the browser downloads. */
export const saveBlob = (blob: Blob, fileName: string) => {
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
};
