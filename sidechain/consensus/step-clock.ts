// The consensus engine's clock: a periodic step (every `tickMs`, or sooner when asked) and one-shot timers (the
// round timeouts), every callback run through the engine's serial queue so no two steps overlap. The pure core
// (tendermint.ts) has no clock; this is the only place the engine waits.
export class StepClock {
  private timer: NodeJS.Timeout | undefined
  private armed = false
  private stopped = false
  /** The next step is wanted sooner than tickMs (at once, or when the next second begins). */
  private soonerMs: number | undefined
  private readonly timeouts = new Set<NodeJS.Timeout>()

  constructor(
    private readonly tickMs: number,
    /** Runs work after every step queued before it. */
    private readonly serial: (work: () => Promise<void>) => Promise<void>,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Starts stepping: `step` every tickMs (or sooner, see `wake` and `stepWithin`). */
  start(step: () => Promise<void>): void {
    const loop = (delayMs: number) => {
      if (this.stopped) return
      this.armed = true
      this.timer = setTimeout(() => {
        this.armed = false
        void this.serial(step)
          .catch(this.onError)
          .finally(() => {
            const delay = Math.min(this.tickMs, this.soonerMs ?? this.tickMs)
            this.soonerMs = undefined
            loop(delay)
          })
      }, delayMs)
    }
    this.loop = loop
    loop(this.tickMs)
  }

  private loop: ((delayMs: number) => void) | undefined

  /** Runs the next step at once rather than at the next tick. */
  wake(): void {
    if (this.armed && this.loop !== undefined) {
      clearTimeout(this.timer)
      this.loop(0)
    } else this.soonerMs = 0
  }

  /** Makes the next step come within `ms` (when it would come later). */
  stepWithin(ms: number): void {
    this.soonerMs = Math.min(this.soonerMs ?? this.tickMs, Math.max(0, ms))
  }

  /** Runs `work` once, `ms` from now, through the serial queue; cancelled by `cancelTimers` or `stop`. */
  after(ms: number, work: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timeouts.delete(timer)
      if (this.stopped) return
      void this.serial(work).catch(this.onError)
    }, ms)
    this.timeouts.add(timer)
  }

  cancelTimers(): void {
    for (const t of this.timeouts) clearTimeout(t)
    this.timeouts.clear()
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.cancelTimers()
  }
}
