// A 3-D spatial hash over Earth-centred coordinates: cubes of a fixed side, each holding a linked list of items.
// Proximity in ECEF is proximity on the ground everywhere, so zone seams, the antimeridian and poles need no care.
import * as OffHeap from "./offHeap.ts"

const EMPTY = -1

/** An open-addressing table from integer cube (ix, iy, iz) to the head of its item list. */
export class CellHash {
  /** Side of a cube in metres. */
  readonly side: number
  private mask: number
  private size = 0
  /** Slots of 4 int32: ix, iy, iz, head item (-1 when the slot is free); one cache line per probe. */
  private slots: Int32Array
  /** next[item]: the following item in the same cube, or -1. */
  next: Int32Array

  constructor(side: number, capacity: number) {
    this.side = side
    let cap = 1024
    while (cap < capacity * 2) cap *= 2
    this.mask = cap - 1
    this.slots = freeSlots(cap)
    this.next = OffHeap.int32(Math.max(16, capacity)).fill(EMPTY)
  }

  /** The first item in cube (ix, iy, iz), or -1. */
  first(ix: number, iy: number, iz: number): number {
    const slots = this.slots
    const mask = this.mask
    let h = hash(ix, iy, iz) & mask
    for (;;) {
      const o = h << 2
      const v = slots[o + 3]
      if (v === EMPTY) return EMPTY
      if (slots[o] === ix && slots[o + 1] === iy && slots[o + 2] === iz) return v
      h = (h + 1) & mask
    }
  }

  /** Adds `item` (a dense index ≥ 0) to the cube holding ECEF point (x, y, z) in metres. */
  insert(item: number, x: number, y: number, z: number): void {
    if (item >= this.next.length) {
      const grown = OffHeap.int32(Math.max(item + 1, this.next.length * 2)).fill(EMPTY)
      grown.set(this.next)
      this.next = grown
    }
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash()
    const s = this.side
    const ix = Math.floor(x / s)
    const iy = Math.floor(y / s)
    const iz = Math.floor(z / s)
    const slots = this.slots
    const mask = this.mask
    let h = hash(ix, iy, iz) & mask
    for (;;) {
      const o = h << 2
      const v = slots[o + 3]
      if (v === EMPTY) {
        slots[o] = ix
        slots[o + 1] = iy
        slots[o + 2] = iz
        slots[o + 3] = item
        this.next[item] = EMPTY
        this.size++
        return
      }
      if (slots[o] === ix && slots[o + 1] === iy && slots[o + 2] === iz) {
        this.next[item] = v
        slots[o + 3] = item
        return
      }
      h = (h + 1) & mask
    }
  }

  private rehash(): void {
    const old = this.slots
    const cap = (this.mask + 1) * 2
    const mask = cap - 1
    const slots = freeSlots(cap)
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 3] === EMPTY) continue
      let h = hash(old[o], old[o + 1], old[o + 2]) & mask
      while (slots[(h << 2) + 3] !== EMPTY) h = (h + 1) & mask
      slots.set(old.subarray(o, o + 4), h << 2)
    }
    this.slots = slots
    this.mask = mask
  }
}

const freeSlots = (cap: number): Int32Array => {
  const slots = OffHeap.int32(cap * 4)
  for (let o = 3; o < slots.length; o += 4) slots[o] = EMPTY
  return slots
}

const hash = (ix: number, iy: number, iz: number): number => {
  let h = Math.imul(ix, 0x9e3779b1) ^ Math.imul(iy, 0x85ebca77) ^ Math.imul(iz, 0xc2b2ae3d)
  h ^= h >>> 15
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13)
}
