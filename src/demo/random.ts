/**
 * A small seeded pseudo-random generator, so that the demo city is the same on every start and
 * on every machine (Math.random would give a different city each time, and tests could not pin
 * counts or positions).
 *
 * The state is 32 bits, advanced by xorshift32 (Marsaglia 2003, shifts 13/17/5); the seed is a
 * string hashed with FNV-1a so each part of the city can have its own named stream: adding a
 * point of interest does not move every parking spot.
 */

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  between(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T;
  /** true with probability p. */
  chance(p: number): boolean;
}

/** FNV-1a over the UTF-16 code units of `s`: a stable 32-bit seed from a readable name. */
function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // xorshift32 never leaves the state 0, so it must not start there.
  return h === 0 ? 0x9e3779b9 : h;
}

/** A generator whose whole sequence is fixed by `seed`. */
export function createRandom(seed: string): Random {
  let state = hashSeed(seed);
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    pick: <T>(list: readonly T[]): T => {
      if (list.length === 0) throw new Error('pick from an empty list');
      return list[Math.floor(next() * list.length)]!;
    },
    chance: (p) => next() < p,
  };
}
