import type { ParkedMessage } from '../domain/audit.js';

/** Where permanently failing messages go (replayable later). */
export interface Parking {
  park(message: ParkedMessage): Promise<void>;
}
