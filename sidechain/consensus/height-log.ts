// What this validator signed at the height in progress — one entry per (kind, round), never a second — and the
// lock and valid value it must keep, mirrored in the sign log (sign-log.ts). The engine asks it before it signs
// anything and writes it before anything signed is sent.
import type { Persisted, Value } from './tendermint.js'
import { slotKey, type HeightRecord, type SignLog, type Slot, type SlotKind } from './sign-log.js'

export class HeightLog {
  private readonly slots = new Map<string, Slot>()
  /** Blocks already on disk for this height. */
  private readonly kept = new Set<Value>()
  private saved: Persisted | undefined
  private dirty = false

  constructor(private readonly log: SignLog) {}

  /** Starts a new height; returns the blocks kept for the last one (to forget, now that it is final). */
  reset(): Value[] {
    const kept = [...this.kept]
    this.slots.clear()
    this.kept.clear()
    this.saved = undefined
    this.dirty = false
    return kept
  }

  /** Takes back what the sign log held for this height (after a restart). */
  restore(record: HeightRecord, blocks: Iterable<Value>): void {
    for (const slot of record.slots) this.slots.set(slotKey(slot.kind, slot.round), slot)
    for (const v of blocks) this.kept.add(v)
    this.saved = record.persisted
  }

  get(kind: SlotKind, round: number): Slot | undefined {
    return this.slots.get(slotKey(kind, round))
  }

  /** The slot's entry: the one signed before if any (it is what is sent again), else `slot`, recorded now. */
  claim(slot: Slot): Slot {
    const key = slotKey(slot.kind, slot.round)
    const before = this.slots.get(key)
    if (before !== undefined) return before
    this.slots.set(key, slot)
    this.dirty = true
    return slot
  }

  /**
   * Writes the record if anything signed, the lock or the valid value changed, with the blocks the record names
   * that are not on disk yet (`blockOf` gives their bytes); resolves once it is on disk.
   */
  async persist(state: Persisted, blockOf: (v: Value) => Uint8Array | undefined): Promise<void> {
    const s = this.saved
    const changed =
      s === undefined
        ? state.lockedValue !== null || state.validValue !== null
        : s.lockedValue !== state.lockedValue || s.lockedRound !== state.lockedRound || s.validValue !== state.validValue || s.validRound !== state.validRound
    if (!this.dirty && !changed) return
    const blocks = new Map<Value, Uint8Array>()
    const proposed = [...this.slots.values()].filter((x) => x.kind === 'proposal').map((x) => x.value)
    for (const v of [state.lockedValue, state.validValue, ...proposed]) {
      if (v === null || this.kept.has(v)) continue
      const bytes = blockOf(v)
      if (bytes !== undefined) blocks.set(v, bytes)
    }
    await this.log.save({ persisted: state, slots: [...this.slots.values()] }, blocks)
    for (const v of blocks.keys()) this.kept.add(v)
    this.saved = state
    this.dirty = false
  }
}
