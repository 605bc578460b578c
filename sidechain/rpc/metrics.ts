// Prometheus metrics of the JSON-RPC edge (request count and latency by method, open WebSocket connections), kept
// in a prom-client Registry the node may share, so /metrics also shows its gauges (height, finality lag, mempool).
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export interface RpcMetrics {
  readonly registry: Registry
  /** Records one finished call; `method` must already be bounded (known methods or "unknown"). */
  observe(method: string, seconds: number, outcome: 'ok' | 'error'): void
  /** +1 when a WebSocket connection opens, -1 when it closes. */
  connections(delta: number): void
}

/** Latency buckets in seconds: sub-millisecond reads up to multi-second log queries. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * Registers the RPC metrics in `registry` (a new one when absent). Called again with the same registry (a node
 * restarting its RPC server), it reuses the metrics already there instead of failing as prom-client would.
 */
export function createRpcMetrics(registry: Registry = new Registry()): RpcMetrics {
  const requests = existing<Counter<'method' | 'outcome'>>(registry, 'causeway_rpc_requests_total') ?? new Counter({
    name: 'causeway_rpc_requests_total',
    help: 'JSON-RPC calls answered, by method and outcome',
    labelNames: ['method', 'outcome'] as const,
    registers: [registry],
  })
  const latency = existing<Histogram<'method'>>(registry, 'causeway_rpc_request_duration_seconds') ?? new Histogram({
    name: 'causeway_rpc_request_duration_seconds',
    help: 'JSON-RPC call latency in seconds, by method',
    labelNames: ['method'] as const,
    buckets: BUCKETS,
    registers: [registry],
  })
  const sockets = existing<Gauge>(registry, 'causeway_rpc_ws_connections') ?? new Gauge({
    name: 'causeway_rpc_ws_connections',
    help: 'Open JSON-RPC WebSocket connections',
    registers: [registry],
  })
  return {
    registry,
    observe(method, seconds, outcome) {
      requests.inc({ method, outcome })
      latency.observe({ method }, seconds)
    },
    connections(delta) {
      sockets.inc(delta)
    },
  }
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined
}
