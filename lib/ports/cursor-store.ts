/** Named watermarks of the pollers (Spira's clock, GitLab's updated_at…), one string each. */
export interface CursorStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
}
