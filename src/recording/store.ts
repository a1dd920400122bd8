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
 *
 * A part being recorded (version 2, issue 12) is kept as it goes: its record in `live` and each
 * MediaRecorder chunk (one a second) in `chunks`. A page that goes away without finishing it
 * (a reload whose `onstop` never came, a renderer crash) leaves them for the next page, which
 * finishes the part from them (`finishLive`: the WebM stream as far as it got, at most the last
 * second lost). Finishing a part (`put`) removes its live record and chunks in the same
 * transaction. Parts count against the cap once finished, each on its own.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { planEviction, type StoredRecordingInfo } from './eviction'
import type { PartEnd } from './parts'

export interface StoredRecording {
  readonly id: string
  readonly callId: string
  readonly blob: Blob
  /** `audio/webm;codecs=opus` or `audio/ogg;codecs=opus`. */
  readonly mimeType: string
  /** Time recorded (pauses on hold excluded). */
  readonly durationMs: number
  readonly createdAt: number
  /** 1-based part of the call's recording (absent: 1, as before parts). */
  readonly part?: number
  /** Why the part was finished (`./parts.ts`): a resumed call goes on after `left`. */
  readonly end?: PartEnd
}

/** A part being recorded, stored as it goes (its chunks are in `chunks`). */
export interface LivePart {
  readonly id: string
  readonly callId: string
  readonly part: number
  readonly mimeType: string
  readonly createdAt: number
  /** Time recorded up to the last stored chunk (holds excluded). */
  readonly durationMs: number
}

interface StoredChunk {
  readonly recordingId: string
  readonly blob: Blob
}

export interface RecordingMeta extends StoredRecordingInfo {
  readonly callId: string
  readonly mimeType: string
  readonly durationMs: number
  readonly uploadedAt?: number
  readonly part?: number
  readonly end?: PartEnd
}

interface RecordingSchema extends DBSchema {
  recordings: { key: string; value: StoredRecording }
  meta: { key: string; value: RecordingMeta; indexes: { byCall: string } }
  live: { key: string; value: LivePart; indexes: { byCall: string } }
  chunks: { key: number; value: StoredChunk; indexes: { byRecording: string } }
}

export type PutResult =
  | { readonly stored: true; readonly evicted: readonly string[]; readonly lost: readonly string[] }
  /** Larger than the whole cap: not stored (nothing was evicted for it). */
  | { readonly stored: false; readonly reason: 'too-large' }

export interface RecordingStore {
  /** Stores a recording, first evicting what the cap requires (one transaction). */
  put(recording: StoredRecording, capBytes: number): Promise<PutResult>
  get(id: string): Promise<StoredRecording | undefined>
  /** The recording of a call, if one is stored (any of its parts). */
  ofCall(callId: string): Promise<RecordingMeta | undefined>
  /** Every finished part of a call, in part order. */
  partsOf(callId: string): Promise<RecordingMeta[]>
  /** A part starts: kept as it goes until `put` finishes it. */
  begin(live: LivePart): Promise<void>
  /** One more chunk of a live part, and its recorded time so far. */
  append(id: string, chunk: Blob, durationMs: number): Promise<void>
  /** The parts left live (unfinished) by a page that went away; of one call, or all. */
  live(callId?: string): Promise<LivePart[]>
  /** Finishes a live part from its stored chunks (a page that went away); undefined when it had none. */
  finishLive(id: string, capBytes: number): Promise<{ recording: StoredRecording; put: PutResult } | undefined>
  list(): Promise<RecordingMeta[]>
  /** The CRM has it: kept (first to go under the cap) or, without `keepLocal`, deleted now. */
  markUploaded(id: string, at: number, keepLocal: boolean): Promise<void>
  delete(id: string): Promise<void>
  close(): void
}

export async function openRecordingStore(options: { name?: string } = {}): Promise<RecordingStore> {
  const db: IDBPDatabase<RecordingSchema> = await openDB<RecordingSchema>(options.name ?? 'tsunagu-recordings', 2, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('recordings', { keyPath: 'id' })
        database.createObjectStore('meta', { keyPath: 'id' }).createIndex('byCall', 'callId')
      }
      if (oldVersion < 2) {
        database.createObjectStore('live', { keyPath: 'id' }).createIndex('byCall', 'callId')
        database.createObjectStore('chunks', { autoIncrement: true }).createIndex('byRecording', 'recordingId')
      }
    },
  })
  const store: RecordingStore = {
    async put(recording, capBytes) {
      const tx = db.transaction(['recordings', 'meta', 'live', 'chunks'], 'readwrite')
      const meta = tx.objectStore('meta')
      // The part is finished (stored or too large): what was kept while it was recorded goes.
      await tx.objectStore('live').delete(recording.id)
      const chunks = tx.objectStore('chunks').index('byRecording')
      for (let cursor = await chunks.openKeyCursor(recording.id); cursor; cursor = await cursor.continue()) {
        await tx.objectStore('chunks').delete(cursor.primaryKey)
      }
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
        ...(recording.part === undefined ? {} : { part: recording.part }),
        ...(recording.end === undefined ? {} : { end: recording.end }),
      })
      await tx.done
      return { stored: true, evicted: plan.evict, lost: plan.lost }
    },
    get: (id) => db.get('recordings', id),
    ofCall: (callId) => db.getFromIndex('meta', 'byCall', callId),
    async partsOf(callId) {
      const parts = await db.getAllFromIndex('meta', 'byCall', callId)
      return parts.sort((a, b) => (a.part ?? 1) - (b.part ?? 1))
    },
    async begin(live) {
      await db.put('live', live)
    },
    async append(id, chunk, durationMs) {
      const tx = db.transaction(['live', 'chunks'], 'readwrite')
      const live = await tx.objectStore('live').get(id)
      // A part already finished (its `put` came first) takes no more chunks.
      if (live) {
        await tx.objectStore('chunks').add({ recordingId: id, blob: chunk })
        await tx.objectStore('live').put({ ...live, durationMs })
      }
      await tx.done
    },
    live: (callId) => (callId === undefined ? db.getAll('live') : db.getAllFromIndex('live', 'byCall', callId)),
    async finishLive(id, capBytes) {
      const live = await db.get('live', id)
      if (!live) return undefined
      const chunks = (await db.getAllFromIndex('chunks', 'byRecording', id)).map((c) => c.blob)
      const blob = new Blob(chunks, { type: live.mimeType })
      if (blob.size === 0) {
        await db.delete('live', id)
        return undefined
      }
      const recording: StoredRecording = {
        id, callId: live.callId, blob, mimeType: live.mimeType, durationMs: live.durationMs, createdAt: live.createdAt, part: live.part, end: 'left',
      }
      return { recording, put: await store.put(recording, capBytes) }
    },
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
  return store
}
