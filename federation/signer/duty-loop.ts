// The signer's round loop: every duty each round, one after the other, then a wait of `pollMs`. A duty whose round
// fails is logged, counted (causeway_signer_round_errors_total{family}) and shown degraded in /health, and the
// others run on; it is tried again next round.
import type { Logger } from 'pino'
import { isCausewayError } from '../../spv/base/errors.js'
import { runDutyRound, type AnyDuty } from './duty.js'
import type { DutyReport } from './http.js'
import type { SignerMetrics } from './metrics.js'

/** Runs every duty each round, one after the other, then waits `pollMs` (or until stopped). */
export class DutyLoop {
  /** When the last round of all duties ended (ms since the epoch); 0 before the first. */
  lastRoundAt = 0
  private readonly lastError = new Map<AnyDuty, string>()
  private stopped = false
  private loop: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined

  constructor(
    private readonly duties: readonly AnyDuty[],
    private readonly pollMs: number,
    private readonly metrics: SignerMetrics,
    private readonly log: Logger,
  ) {}

  reports(): DutyReport[] {
    return this.duties.map((d) => ({ family: d.family, lastError: this.lastError.get(d), health: d.health() }))
  }

  run(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        for (const duty of this.duties) {
          if (this.stopped) break
          await this.round(duty)
        }
        this.lastRoundAt = Date.now()
        if (this.stopped) break
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.pollMs)
          this.wake = () => {
            clearTimeout(t)
            r()
          }
        })
      }
    })()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.loop
  }

  /** One duty's round; a failure is logged, counted and shown in /health, and stops no other duty. */
  private async round(duty: AnyDuty): Promise<void> {
    try {
      await runDutyRound(duty)
      this.lastError.delete(duty)
      this.metrics.dutyUp.set({ family: duty.family }, 1)
    } catch (e) {
      this.metrics.errors.inc({ family: duty.family })
      this.metrics.dutyUp.set({ family: duty.family }, 0)
      const code = isCausewayError(e) ? e.code : 'SIGNER_ROUND_FAILED'
      this.lastError.set(duty, `${code}: ${(e as Error).message}`)
      this.log.warn({ family: duty.family, code, err: (e as Error).message }, 'signer round failed; retrying')
    }
  }
}
