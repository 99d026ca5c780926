/**
 * A WHERE clause built from the filters a caller chose, with numbered parameters ($1, $2, …) in
 * the order the conditions were added, so that values never enter the SQL text.
 */
export class SqlConditions {
  readonly params: unknown[] = [];
  readonly #conditions: string[] = [];

  /** Adds a condition on `value`; `condition` is given the value's placeholder (`$3`). */
  add(value: unknown, condition: (placeholder: string) => string): this {
    this.params.push(value);
    this.#conditions.push(condition(`$${this.params.length}`));
    return this;
  }

  /** The conditions joined by AND, to follow WHERE. */
  get sql(): string {
    return this.#conditions.join(' AND ');
  }

  /** A page of the rows: the LIMIT and OFFSET clause after these conditions, and all the parameters. */
  page(limit: number, offset: number): { sql: string; params: unknown[] } {
    const n = this.params.length;
    return { sql: `LIMIT $${n + 1} OFFSET $${n + 2}`, params: [...this.params, limit, offset] };
  }
}

/** A timestamp column as ISO 8601 text (pg returns a Date; a value read back as text stays the same instant). */
export const isoTimestamp = (v: Date | string): string => new Date(v).toISOString();

/** A json or jsonb column as its value (pg parses it; a driver that hands back text is parsed here). */
export const parsedJson = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
