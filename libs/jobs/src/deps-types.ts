/**
 * The parts of @spottune/storage the processors use, stated structurally so that libs/jobs states
 * exactly what it needs (libs/storage's ObjectStore and verified cache satisfy them).
 */
export interface JobObjectStore {
  put(key: string, body: Uint8Array): Promise<unknown>;
  getBytes(key: string): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  ensureReady(): Promise<void>;
}

export interface JobVolumeCache {
  /** The local path of `key`, downloaded and sha256-verified on first use. */
  fetch(key: string, sha256: string): Promise<string>;
}
