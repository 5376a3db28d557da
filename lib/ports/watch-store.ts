import type { WatchList } from '../domain/comment-watch.js';

/** The incidents whose comments the poller checks, per Spira project. */
export interface WatchStore {
  get(spiraProjectId: number): Promise<WatchList>;
  put(spiraProjectId: number, list: WatchList): Promise<void>;
}
