/**
 * An exact set of user ids remembering the line each was first seen on, packed in
 * typed arrays. A Map<string, number> costs ~80 bytes per entry (a 1M-row file
 * alone would exceed the validator's memory goal); this costs ~(2 × length + 14) bytes.
 *
 * Open addressing with linear probing over slots that point into a pool of UTF-16
 * code units ([length, ...units] per id); the table doubles at half load.
 */
export class UserIdSet {
  private pool = new Uint16Array(1 << 16);
  private poolUsed = 0;
  private slots = new Int32Array(1 << 12); // pool offset + 1; 0 is empty
  private lines = new Uint32Array(1 << 12);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `id` first seen at `line`; returns the earlier line when it was already there. */
  addOrGetFirstLine(id: string, line: number): number | undefined {
    if (id.length > 0xffff) throw new RangeError('user id too long for the set');
    const mask = this.slots.length - 1;
    let i = hash(id) & mask;
    for (;;) {
      const slot = this.slots[i]!;
      if (slot === 0) break;
      if (this.equals(slot - 1, id)) return this.lines[i];
      i = (i + 1) & mask;
    }
    const offset = this.store(id);
    this.slots[i] = offset + 1;
    this.lines[i] = line;
    this.count++;
    if (this.count * 2 > this.slots.length) this.grow();
    return undefined;
  }

  private equals(offset: number, id: string): boolean {
    if (this.pool[offset] !== id.length) return false;
    for (let k = 0; k < id.length; k++) if (this.pool[offset + 1 + k] !== id.charCodeAt(k)) return false;
    return true;
  }

  private store(id: string): number {
    const needed = this.poolUsed + id.length + 1;
    if (needed > this.pool.length) {
      const bigger = new Uint16Array(Math.max(needed, this.pool.length * 2));
      bigger.set(this.pool.subarray(0, this.poolUsed));
      this.pool = bigger;
    }
    const offset = this.poolUsed;
    this.pool[offset] = id.length;
    for (let k = 0; k < id.length; k++) this.pool[offset + 1 + k] = id.charCodeAt(k);
    this.poolUsed = needed;
    return offset;
  }

  private grow(): void {
    const oldSlots = this.slots;
    const oldLines = this.lines;
    this.slots = new Int32Array(oldSlots.length * 2);
    this.lines = new Uint32Array(oldSlots.length * 2);
    const mask = this.slots.length - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      const slot = oldSlots[j]!;
      if (slot === 0) continue;
      let i = hashPooled(this.pool, slot - 1) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = slot;
      this.lines[i] = oldLines[j]!;
    }
  }
}

/** FNV-1a over UTF-16 code units. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) {
    h ^= id.charCodeAt(k);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function hashPooled(pool: Uint16Array, offset: number): number {
  let h = 0x811c9dc5;
  const length = pool[offset]!;
  for (let k = 1; k <= length; k++) {
    h ^= pool[offset + k]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
