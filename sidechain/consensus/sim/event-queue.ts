// The simulator's virtual clock: a binary min-heap of events ordered by (time, insertion order), so events at one
// instant run in the order they were scheduled and a run is fully determined by its seed.

interface Entry<T> {
  readonly at: number
  readonly seq: number
  readonly item: T
}

export class EventQueue<T> {
  private readonly heap: Entry<T>[] = []
  private seq = 0
  now = 0

  get size(): number {
    return this.heap.length
  }

  schedule(delay: number, item: T): void {
    this.push({ at: this.now + Math.max(0, delay), seq: this.seq++, item })
  }

  /** The next event, advancing the clock to its time; undefined when empty. */
  pop(): T | undefined {
    const h = this.heap
    const top = h[0]
    if (top === undefined) return undefined
    const last = h.pop() as Entry<T>
    if (h.length > 0) {
      h[0] = last
      this.down(0)
    }
    this.now = top.at
    return top.item
  }

  private less(a: Entry<T>, b: Entry<T>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private push(e: Entry<T>): void {
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i] as Entry<T>, h[p] as Entry<T>)) break
      ;[h[i], h[p]] = [h[p] as Entry<T>, h[i] as Entry<T>]
      i = p
    }
  }

  private down(i: number): void {
    const h = this.heap
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && this.less(h[l] as Entry<T>, h[m] as Entry<T>)) m = l
      if (r < h.length && this.less(h[r] as Entry<T>, h[m] as Entry<T>)) m = r
      if (m === i) return
      ;[h[i], h[m]] = [h[m] as Entry<T>, h[i] as Entry<T>]
      i = m
    }
  }
}
