import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store.js';
import { FileBlobStore } from './file-blob-store.js';

/** Opens the store named by LIGHTBOX_STORAGE_URL (`file:<dir>`; `s3://` arrives with scale-out). */
export async function openBlobStore(url: string): Promise<BlobStore> {
  if (url.startsWith('file:')) {
    const dir = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
    const store = new FileBlobStore(dir);
    await store.init();
    return store;
  }
  throw new Error(`storage URL ${url}: only file: storage is available in this version`);
}
