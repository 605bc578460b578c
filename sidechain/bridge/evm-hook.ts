// ethereumjs gives a precompile its call data and gas but not the message's caller, value or static flag
// (ARCHITECTURE.md, "Known facts about @ethereumjs/evm 10"). This hook wraps the EVM's call execution so that the
// message being executed is known while the precompile runs: a stack per EVM instance, pushed on entry to every
// call frame and popped on exit, so nested calls (a contract calling the bridge) see their own frame.
import type { EVM, Message } from '@ethereumjs/evm'

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
