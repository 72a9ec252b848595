// Builds the configured BlobStore (local folder or S3-compatible bucket).
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs.js';
import { S3BlobStore } from './s3.js';

export * from './blob-store.js';
export { FsBlobStore } from './fs.js';
export { S3BlobStore } from './s3.js';

type StorageConfig = Pick<
  Config,
  'STORAGE' | 'STORAGE_QUOTA_MB' | 'DATA_DIR' | 'S3_ENDPOINT' | 'S3_BUCKET' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'
>;

export function createBlobStore(config: StorageConfig): BlobStore {
  if (config.STORAGE === 's3') {
    if (!config.S3_BUCKET) throw new Error('STORAGE=s3 needs S3_BUCKET');
    return new S3BlobStore({
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    });
  }
  return new FsBlobStore(join(config.DATA_DIR, 'blobs'), { quotaBytes: config.STORAGE_QUOTA_MB * 1024 * 1024 });
}
