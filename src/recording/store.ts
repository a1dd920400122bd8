/**
 * Call recordings in IndexedDB (through `idb`), under a size cap (`recording.maxMegabytes`) with
 * the eviction order of `./eviction.ts`: what the CRM already has goes first, oldest first; a
 * recording the CRM never got is dropped only when that is not enough, and the caller is told
 * which (`lost`), so the agent hears of it. `keepLocal: false` (sites that must not keep audio on
 * PCs) deletes a recording as soon as the CRM has it.
 *
 * Object store `recordings`, keyed by `id`; the audio is a `Blob` (stored by reference by the
 * browser, read only when played, downloaded or uploaded). The size, age and upload state of
 * each are kept in a second store, `meta`, so planning an eviction never touches audio.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { planEviction, type StoredRecordingInfo } from './eviction'

export interface StoredRecording {
  readonly id: string
  readonly callId: string
  readonly blob: Blob
  /** `audio/webm;codecs=opus` or `audio/ogg;codecs=opus`. */
  readonly mimeType: string
  /** Time recorded (pauses on hold excluded). */
  readonly durationMs: number
  readonly createdAt: number
}

export interface RecordingMeta extends StoredRecordingInfo {
  readonly callId: string
  readonly mimeType: string
  readonly durationMs: number
  readonly uploadedAt?: number
}

interface RecordingSchema extends DBSchema {
  recordings: { key: string; value: StoredRecording }
  meta: { key: string; value: RecordingMeta; indexes: { byCall: string } }
}

export type PutResult =
  | { readonly stored: true; readonly evicted: readonly string[]; readonly lost: readonly string[] }
  /** Larger than the whole cap: not stored (nothing was evicted for it). */
  | { readonly stored: false; readonly reason: 'too-large' }

export interface RecordingStore {
  /** Stores a recording, first evicting what the cap requires (one transaction). */
  put(recording: StoredRecording, capBytes: number): Promise<PutResult>
  get(id: string): Promise<StoredRecording | undefined>
  /** The recording of a call, if one is stored. */
  ofCall(callId: string): Promise<RecordingMeta | undefined>
  list(): Promise<RecordingMeta[]>
  /** The CRM has it: kept (first to go under the cap) or, without `keepLocal`, deleted now. */
  markUploaded(id: string, at: number, keepLocal: boolean): Promise<void>
  delete(id: string): Promise<void>
  close(): void
}

export async function openRecordingStore(options: { name?: string } = {}): Promise<RecordingStore> {
  const db: IDBPDatabase<RecordingSchema> = await openDB<RecordingSchema>(options.name ?? 'tsunagu-recordings', 1, {
    upgrade(database) {
      database.createObjectStore('recordings', { keyPath: 'id' })
      database.createObjectStore('meta', { keyPath: 'id' }).createIndex('byCall', 'callId')
    },
  })
  return {
    async put(recording, capBytes) {
      const tx = db.transaction(['recordings', 'meta'], 'readwrite')
      const meta = tx.objectStore('meta')
      const others = (await meta.getAll()).filter((m) => m.id !== recording.id)
      const plan = planEviction(others, recording.blob.size, capBytes)
      if (!plan.fits) {
        await tx.done
        return { stored: false, reason: 'too-large' }
      }
      for (const id of plan.evict) {
        await tx.objectStore('recordings').delete(id)
        await meta.delete(id)
      }
      await tx.objectStore('recordings').put(recording)
      await meta.put({
        id: recording.id, callId: recording.callId, mimeType: recording.mimeType, durationMs: recording.durationMs,
        bytes: recording.blob.size, createdAt: recording.createdAt, uploaded: false,
      })
      await tx.done
      return { stored: true, evicted: plan.evict, lost: plan.lost }
    },
    get: (id) => db.get('recordings', id),
    ofCall: (callId) => db.getFromIndex('meta', 'byCall', callId),
    list: () => db.getAll('meta'),
    async markUploaded(id, at, keepLocal) {
      const tx = db.transaction(['recordings', 'meta'], 'readwrite')
      const meta = await tx.objectStore('meta').get(id)
      if (meta && keepLocal) await tx.objectStore('meta').put({ ...meta, uploaded: true, uploadedAt: at })
      else if (meta) {
        await tx.objectStore('recordings').delete(id)
        await tx.objectStore('meta').delete(id)
      }
      await tx.done
    },
    async delete(id) {
      const tx = db.transaction(['recordings', 'meta'], 'readwrite')
      await Promise.all([tx.objectStore('recordings').delete(id), tx.objectStore('meta').delete(id), tx.done])
    },
    close: () => db.close(),
  }
}
