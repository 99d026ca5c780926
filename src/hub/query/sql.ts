/**
 * Building SQL text with positional parameters. Every piece of user input (attribute IRIs, values,
 * patterns) goes into `params`; the SQL text holds only our own constants.
 */

/** What a compiler needs from its caller: the parameter list to append to, and the table alias. */
export interface SqlContext {
  /** Parameters collected so far; compilers append and refer to them as `$n`. */
  params: unknown[];
  /** Alias of `hub.entities` in the caller's query; `e` when absent. */
  alias?: string;
}

export type SqlCast = 'text' | 'jsonb' | 'numeric';

/** Appends parameters for one compilation, reusing a `$n` for a value it has already added. */
export class ParamSink {
  readonly alias: string;
  private readonly params: unknown[];
  private readonly seen = new Map<string, string>();
  private counter = 0;

  constructor(ctx: SqlContext) {
    const alias = ctx.alias ?? 'e';
    // The alias is written into the SQL text, so it must be a plain identifier.
    if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`invalid SQL alias: ${alias}`);
    this.alias = alias;
    this.params = ctx.params;
  }

  /** `$n::cast` for `value` (a string: text, JSON text or a decimal number). */
  add(value: string, cast: SqlCast): string {
    const key = `${cast}\u0000${value}`;
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    this.params.push(value);
    const ref = `$${this.params.length}::${cast}`;
    this.seen.set(key, ref);
    return ref;
  }

  /** A fresh correlation name for a sub-query, so nested sub-queries never shadow each other. */
  name(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  column(name: 'attrs' | 'types' | 'scopes'): string {
    return `${this.alias}.${name}`;
  }
}

/** `a AND b AND ...`, parenthesised; `true` for none. */
export function sqlAnd(parts: string[]): string {
  if (parts.length === 0) return 'true';
  if (parts.length === 1) return parts[0] ?? 'true';
  return `(${parts.join(' AND ')})`;
}

/** `a OR b OR ...`, parenthesised; `false` for none. */
export function sqlOr(parts: string[]): string {
  if (parts.length === 0) return 'false';
  if (parts.length === 1) return parts[0] ?? 'false';
  return `(${parts.join(' OR ')})`;
}
