// ethereumjs gives a precompile its call data and gas but not the message's caller, value or static flag
// (ARCHITECTURE.md, "Known facts about @ethereumjs/evm 10"). This hook wraps the EVM's call execution so that the
// message being executed is known while the precompile runs: a stack per EVM instance, pushed on entry to every
// call frame and popped on exit, so nested calls (a contract calling the bridge) see their own frame.
import type { EVM, Message } from '@ethereumjs/evm'
import { fail } from '../../spv/base/errors.js'

const stacks = new WeakMap<object, Message[]>()

/** The message of the innermost call frame of `evm`, if it is hooked. */
export function currentMessage(evm: object): Message | undefined {
  const stack = stacks.get(evm)
  return stack === undefined ? undefined : stack[stack.length - 1]
}

/** Wraps `evm`'s call execution once; safe to call again. */
export function hookEvmMessages(evm: EVM): void {
  if (stacks.has(evm)) return
  const stack: Message[] = []
  stacks.set(evm, stack)
  const target = evm as unknown as { _executeCall(message: Message): Promise<unknown> }
  // An internal of @ethereumjs/evm (pinned to an exact version for it): a bump that renames it fails here, loudly.
  if (typeof target._executeCall !== 'function') fail('EXEC_ETHEREUMJS_CHANGED', '@ethereumjs/evm no longer has _executeCall: sidechain/bridge/evm-hook.ts must be updated with the version bump')
  const original = target._executeCall.bind(evm)
  target._executeCall = async (message: Message) => {
    stack.push(message)
    try {
      return await original(message)
    } finally {
      stack.pop()
    }
  }
}
