// The signer's Prometheus metrics (served at /metrics, http.ts). Those every duty has are one metric each with a
// `family` label (`causeway_signer_batches_signed_total{family="bitcoin"}`), so a new family adds series, not names;
// the names are those of before issue 14, so existing dashboards keep matching. A family's own metrics (Bitcoin's
// heights) are made by its duty in the same registry.
import { Counter, Gauge, Registry } from 'prom-client'
import type { DutyFamily } from './duty.js'

export interface SignerMetrics {
  readonly registry: Registry
  /** Last side-chain block whose bridge events the duty read. */
  readonly sidechainBlock: Gauge<'family'>
  readonly signed: Counter<'family'>
  readonly refused: Counter<'family' | 'code'>
  readonly broadcasts: Counter<'family'>
  readonly headers: Counter<'family'>
  readonly registrations: Counter<'family'>
  /** Duty rounds that ended in an error (the daemon counts them; the other duties ran on). */
  readonly errors: Counter<'family'>
  /** 1 while the duty's last round succeeded, 0 after one failed. */
  readonly dutyUp: Gauge<'family'>
}

export function createSignerMetrics(registry = new Registry()): SignerMetrics {
  const registers = [registry]
  return {
    registry,
    sidechainBlock: new Gauge({ name: 'causeway_signer_sidechain_block', help: 'Last side-chain block whose bridge events were read', labelNames: ['family'], registers }),
    signed: new Counter({ name: 'causeway_signer_batches_signed_total', help: 'Batches this signer signed', labelNames: ['family'], registers }),
    refused: new Counter({ name: 'causeway_signer_refusals_total', help: 'Batches this signer refused to sign, by code', labelNames: ['family', 'code'], registers }),
    broadcasts: new Counter({ name: 'causeway_signer_broadcasts_total', help: 'Complete transactions this signer broadcast', labelNames: ['family'], registers }),
    headers: new Counter({ name: 'causeway_signer_headers_relayed_total', help: 'Main-chain headers relayed', labelNames: ['family'], registers }),
    registrations: new Counter({ name: 'causeway_signer_registrations_total', help: 'Main-chain transactions registered with the bridge', labelNames: ['family'], registers }),
    errors: new Counter({ name: 'causeway_signer_round_errors_total', help: 'Duty rounds that ended in an error', labelNames: ['family'], registers }),
    dutyUp: new Gauge({ name: 'causeway_signer_duty_up', help: '1 while the duty\'s last round succeeded', labelNames: ['family'], registers }),
  }
}

/** The shared metrics with one family's label filled in, as a duty uses them. */
export interface FamilyMetrics {
  readonly sidechainBlock: { set(v: number): void }
  readonly signed: { inc(n?: number): void }
  readonly refused: { inc(code: string): void }
  readonly broadcasts: { inc(n?: number): void }
  readonly headers: { inc(n?: number): void }
  readonly registrations: { inc(n?: number): void }
}

export function familyMetrics(m: SignerMetrics, family: DutyFamily): FamilyMetrics {
  return {
    sidechainBlock: m.sidechainBlock.labels(family),
    signed: m.signed.labels(family),
    refused: { inc: (code) => m.refused.inc({ family, code }) },
    broadcasts: m.broadcasts.labels(family),
    headers: m.headers.labels(family),
    registrations: m.registrations.labels(family),
  }
}
