/**
 * Deletes of one library, by group commit: a delete that arrives while no
 * DELETE is in flight goes at once; deletes that arrive while one is in flight
 * wait for its answer, then go together as one group (`DELETE ?ids=a,b,c`,
 * chunked at DELETE_CHUNK ids). No timer and no learned pace: a slow or rate-limited
 * server makes groups bigger by itself, because more deletes arrive while it
 * answers. A chunk that fails is split in halves and retried, so one bad id
 * cannot block the rest; a single id that is already gone (404) counts as
 * deleted, and a 403 fails the whole chunk (splitting cannot help a token that
 * may not delete).
 */
import { DELETE_CHUNK } from "../client/collection";
import { isNotFoundError, isPermissionDeniedError } from "../client/errors";

interface Waiting {
  id: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class DeleteQueue {
  private waiting: Waiting[] = [];
  private inFlight = false;

  constructor(
    /** Sends one DELETE for these ids (at most DELETE_CHUNK). */
    private readonly send: (ids: string[]) => Promise<void>,
  ) {}

  /** Resolves once the id is deleted (or was already gone). */
  delete(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      // A microtask, not a timer: ids handed over in one synchronous loop (a set's delete) form one group.
      if (!this.inFlight) {
        this.inFlight = true;
        queueMicrotask(() => void this.pump());
      }
    });
  }

  /** Deletes every id; the ids form one group (or join the next one, if a DELETE is in flight). */
  deleteAll(ids: string[]): Promise<void> {
    return Promise.all(ids.map((id) => this.delete(id))).then(() => undefined);
  }

  /** Sends groups until nothing waits: each group is everything that arrived while the last was in flight. */
  private async pump(): Promise<void> {
    while (this.waiting.length) {
      const group = this.waiting.splice(0);
      const chunks: Waiting[][] = [];
      for (let i = 0; i < group.length; i += DELETE_CHUNK) chunks.push(group.slice(i, i + DELETE_CHUNK));
      await Promise.all(chunks.map((c) => this.settle(c)));
    }
    this.inFlight = false;
  }

  private async settle(chunk: Waiting[]): Promise<void> {
    try {
      await this.send(chunk.map((w) => w.id));
      chunk.forEach((w) => w.resolve());
    } catch (e) {
      if (chunk.length === 1) return isNotFoundError(e) ? chunk[0].resolve() : chunk[0].reject(e);
      if (isPermissionDeniedError(e)) return chunk.forEach((w) => w.reject(e));
      const mid = Math.ceil(chunk.length / 2);
      await Promise.all([this.settle(chunk.slice(0, mid)), this.settle(chunk.slice(mid))]);
    }
  }
}
