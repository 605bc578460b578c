// A node's halt: the one reason it stopped following the chain (proof that the federation's safety is broken),
// kept for good, announced once, and turned into a refusal of every later commit.
import type { EventEmitter } from 'node:events'
import { CausewayError } from '../../spv/base/errors.js'

export class Halt {
  /** Why the node stopped following the chain; undefined while it follows. */
  private reason: CausewayError | undefined

  /** `events` gets one 'halt' event, with the error, when the node halts. */
  constructor(private readonly events: EventEmitter) {}

  /**
   * Stops following the chain for good (until an operator intervenes): from now on `commit` refuses with this
   * error's code. Called on proof that the federation's safety is broken — two valid finality certificates for
   * different blocks at one height (consensus/conflict.ts) — by the syncer, or by the consensus engine when it
   * sees one. The first reason is kept; later calls change nothing. Listeners (`onHalt`) log and report it.
   */
  halt(error: CausewayError): void {
    if (this.reason !== undefined) return
    this.reason = error
    this.events.emit('halt', error)
  }

  /** The reason the node halted, or undefined while it follows the chain. */
  get halted(): CausewayError | undefined {
    return this.reason
  }

  /** Fires once, when the node halts. */
  onHalt(listener: (error: CausewayError) => void): () => void {
    this.events.on('halt', listener)
    return () => this.events.off('halt', listener)
  }

  /** Throws the halt's code (with the halt as its cause) once the node has halted. */
  refuseIfHalted(): void {
    const h = this.reason
    if (h !== undefined) throw new CausewayError(h.code, `this node has halted and commits no more blocks: ${h.message}`, { details: h.details, cause: h })
  }
}
