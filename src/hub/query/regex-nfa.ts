/**
 * In-process matching for `~=` patterns (clause 4.9): the parsed pattern of regex.ts compiled into
 * a Thompson NFA and simulated over the code points of the text, all start positions at once.
 * Time is linear in the text for a given pattern, whatever the pattern: unlike a backtracking
 * RegExp, nothing here can stall the process (ReDoS). It decides what PostgreSQL's `~` decides
 * for the SQL form of the same pattern: whether some substring is in the pattern's language.
 */

import { parsePattern, type PatternNode, type Range } from './regex.ts';

type State =
  | { k: 'set'; ranges: Range[]; next: number }
  | { k: 'split'; a: number; b: number }
  | { k: 'bol'; next: number }
  | { k: 'eol'; next: number }
  | { k: 'match' };

/** Builds the NFA back to front: each fragment is compiled knowing the state that follows it. */
function buildNfa(root: PatternNode): { states: State[]; start: number } {
  const states: State[] = [{ k: 'match' }];
  const add = (st: State): number => states.push(st) - 1;
  const build = (node: PatternNode, next: number): number => {
    switch (node.t) {
      case 'set':
        return add({ k: 'set', ranges: node.ranges, next });
      case 'bol':
        return add({ k: 'bol', next });
      case 'eol':
        return add({ k: 'eol', next });
      case 'seq':
        return node.items.reduceRight((n, item) => build(item, n), next);
      case 'alt': {
        const starts = node.items.map((item) => build(item, next));
        return starts.reduceRight((rest, s) => add({ k: 'split', a: s, b: rest }));
      }
      case 'rep': {
        let n = next;
        if (node.max === null) {
          // body* : a split that loops back through the body.
          const loop = add({ k: 'split', a: -1, b: next });
          const bodyStart = build(node.body, loop);
          states[loop] = { k: 'split', a: bodyStart, b: next };
          n = loop;
        } else {
          // (max - min) optional copies: (body (body ...)?)?
          for (let i = node.min; i < node.max; i++) n = add({ k: 'split', a: build(node.body, n), b: next });
        }
        for (let i = 0; i < node.min; i++) n = build(node.body, n);
        return n;
      }
    }
  };
  return { states, start: build(root, 0) };
}

function inRanges(ranges: Range[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid] as Range;
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Whether some substring of `text` is in the NFA's language (what PostgreSQL's `~` decides).
 * Runs the NFA on all positions at once: time is linear in the text for a given pattern.
 */
function runNfa(states: State[], start: number, text: string): boolean {
  const cps = Array.from(text, (ch) => ch.codePointAt(0) ?? 0);
  const seen = new Int32Array(states.length).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  let found = false;
  // Adds the state and everything reachable from it without reading a character.
  const addClosure = (list: number[], from: number, pos: number, stamp: number): void => {
    const stack = [from];
    while (stack.length > 0 && !found) {
      const i = stack.pop() as number;
      if (seen[i] === stamp) continue;
      seen[i] = stamp;
      const st = states[i] as State;
      switch (st.k) {
        case 'match':
          found = true;
          break;
        case 'split':
          stack.push(st.b, st.a);
          break;
        case 'bol':
          if (pos === 0) stack.push(st.next);
          break;
        case 'eol':
          if (pos === cps.length) stack.push(st.next);
          break;
        case 'set':
          list.push(i);
          break;
      }
    }
  };
  for (let pos = 0; ; pos++) {
    // A match may start at any position: seed the start state at each one.
    addClosure(current, start, pos, pos);
    if (found) return true;
    if (pos === cps.length) return false;
    const cp = cps[pos] as number;
    for (const i of current) {
      const st = states[i] as Extract<State, { k: 'set' }>;
      if (inRanges(st.ranges, cp)) addClosure(next, st.next, pos + 1, pos + 1);
      if (found) return true;
    }
    [current, next] = [next, []];
  }
}

const matchers = new Map<string, (text: string) => boolean>();

/**
 * The in-process twin of a pattern's SQL: a function telling whether `text` contains a match, in
 * time linear in the text. Takes the `source` of a TranslatedPattern (already vetted; anything
 * else is checked again and may throw AppError). Compiled matchers are cached.
 */
export function compileMatcher(source: string): (text: string) => boolean {
  let matcher = matchers.get(source);
  if (!matcher) {
    const { states, start } = buildNfa(parsePattern(source, 'q', 0).tree);
    matcher = (text: string) => runNfa(states, start, text);
    if (matchers.size >= 500) matchers.clear();
    matchers.set(source, matcher);
  }
  return matcher;
}
