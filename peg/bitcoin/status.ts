// The states of a peg-out request as IBtcBridge reports them (`PegOutView.status`, `BatchView.status`): part of the
// bridge's ABI, so the signer, the CLI and the wallet read them from here.
export const REQUEST_STATUS = { unknown: 0, queued: 1, batched: 2, signed: 3, confirmed: 4, refunded: 5 } as const
export type RequestStatus = (typeof REQUEST_STATUS)[keyof typeof REQUEST_STATUS]
