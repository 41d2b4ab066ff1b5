import { api, ProblemError, unwrap } from './api/client.ts';
import type { Upload } from './api/types.ts';

/** SHA-256 of a file, hex, computed in the browser (Web Crypto). */
export const sha256Hex = async (file: Blob): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
};

/** PUT to a presigned URL with the headers it signs, reporting progress (XHR: fetch has no upload progress). */
export const putPresigned = (
  upload: { url: string; headers: Record<string, string> },
  file: Blob,
  onProgress?: (percent: number) => void,
): Promise<void> =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', upload.url);
    for (const [name, value] of Object.entries(upload.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new ProblemError(xhr.status, 'Upload refused', xhr.responseText.slice(0, 300)));
    xhr.onerror = () => reject(new ProblemError(0, 'Upload failed', 'The storage did not answer.'));
    xhr.send(file);
  });

/** Announces a photo or file of an inspection (size, type, SHA-256), then uploads it straight to storage. */
export const uploadEvidence = async (
  inspectionId: string,
  file: File,
  indicatorId: string | undefined,
  onProgress?: (percent: number) => void,
) => {
  const sha256 = await sha256Hex(file);
  const announced = await unwrap<Upload>(
    api().POST('/inspections/{id}/evidence', {
      params: { path: { id: inspectionId } },
      body: {
        fileName: file.name || 'photo.jpg',
        contentType: (file.type || 'image/jpeg') as 'image/jpeg',
        size: file.size,
        sha256,
        ...(indicatorId ? { indicatorId } : {}),
        capturedAt: new Date(file.lastModified || Date.now()).toISOString(),
      },
    }),
  );
  if (announced.upload) await putPresigned(announced.upload, file, onProgress);
  onProgress?.(100);
  return { id: announced.id, sha256 };
};
