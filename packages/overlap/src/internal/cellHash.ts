// A 3-D spatial hash over Earth-centred coordinates: cubes of a fixed side, each holding a linked list of items.
// Proximity in ECEF is proximity on the ground everywhere, so zone seams, the antimeridian and poles need no care.

const EMPTY = -1

/** An open-addressing table from integer cube (ix, iy, iz) to the head of its item list. */
export class CellHash {
  /** Side of a cube in metres. */
  readonly side: number
  private mask: number
  private size = 0
  private kx: Int32Array
  private ky: Int32Array
  private kz: Int32Array
  private head: Int32Array
  /** next[item]: the following item in the same cube, or -1. */
  next: Int32Array

  constructor(side: number, capacity: number) {
    this.side = side
    let cap = 1024
    while (cap < capacity * 2) cap *= 2
    this.mask = cap - 1
    this.kx = new Int32Array(cap)
    this.ky = new Int32Array(cap)
    this.kz = new Int32Array(cap)
    this.head = new Int32Array(cap).fill(EMPTY)
    this.next = new Int32Array(Math.max(16, capacity)).fill(EMPTY)
  }

  /** The first item in cube (ix, iy, iz), or -1. */
  first(ix: number, iy: number, iz: number): number {
    const mask = this.mask
    let h = hash(ix, iy, iz) & mask
    for (;;) {
      const v = this.head[h]
      if (v === EMPTY) return EMPTY
      if (this.kx[h] === ix && this.ky[h] === iy && this.kz[h] === iz) return v
      h = (h + 1) & mask
    }
  }

  /** Adds `item` (a dense index ≥ 0) to the cube holding ECEF point (x, y, z) in metres. */
  insert(item: number, x: number, y: number, z: number): void {
    if (item >= this.next.length) {
      const grown = new Int32Array(Math.max(item + 1, this.next.length * 2)).fill(EMPTY)
      grown.set(this.next)
      this.next = grown
    }
    if ((this.size + 1) * 2 > this.head.length) this.rehash()
    const s = this.side
    const ix = Math.floor(x / s)
    const iy = Math.floor(y / s)
    const iz = Math.floor(z / s)
    const mask = this.mask
    let h = hash(ix, iy, iz) & mask
    for (;;) {
      const v = this.head[h]
      if (v === EMPTY) {
        this.kx[h] = ix
        this.ky[h] = iy
        this.kz[h] = iz
        this.head[h] = item
        this.next[item] = EMPTY
        this.size++
        return
      }
      if (this.kx[h] === ix && this.ky[h] === iy && this.kz[h] === iz) {
        this.next[item] = v
        this.head[h] = item
        return
      }
      h = (h + 1) & mask
    }
  }

  private rehash(): void {
    const { kx, ky, kz, head } = this
    const cap = head.length * 2
    this.mask = cap - 1
    this.kx = new Int32Array(cap)
    this.ky = new Int32Array(cap)
    this.kz = new Int32Array(cap)
    this.head = new Int32Array(cap).fill(EMPTY)
    for (let i = 0; i < head.length; i++) {
      if (head[i] === EMPTY) continue
      let h = hash(kx[i], ky[i], kz[i]) & this.mask
      while (this.head[h] !== EMPTY) h = (h + 1) & this.mask
      this.kx[h] = kx[i]
      this.ky[h] = ky[i]
      this.kz[h] = kz[i]
      this.head[h] = head[i]
    }
  }
}

const hash = (ix: number, iy: number, iz: number): number => {
  let h = Math.imul(ix, 0x9e3779b1) ^ Math.imul(iy, 0x85ebca77) ^ Math.imul(iz, 0xc2b2ae3d)
  h ^= h >>> 15
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13)
}
