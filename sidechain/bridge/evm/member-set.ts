// A set of federation members as a bit mask (IEvmBridge's `attesters` and `signers`: bit i is member i), so that
// "who attests" and "who signed" are one word in storage and in the views. At most 15 members (config.ts).
export type MemberSet = number

export const NO_MEMBERS: MemberSet = 0

export function withMember(set: MemberSet, member: number): MemberSet {
  return (set | (1 << member)) >>> 0
}

export function withoutMember(set: MemberSet, member: number): MemberSet {
  return (set & ~(1 << member)) >>> 0
}

export function hasMember(set: MemberSet, member: number): boolean {
  return (set & (1 << member)) !== 0
}

export function memberCount(set: MemberSet): number {
  let n = 0
  for (let v = set >>> 0; v !== 0; v &= v - 1) n++
  return n
}
