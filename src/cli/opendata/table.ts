/**
 * The column layouts of the Digital Agency's standard open data sets (自治体標準オープンデータセット)
 * and the header matching that finds them in a real file: the published names, the names of the
 * earlier 推奨データセット edition (2019) that many cities still use, and the spelling variants
 * seen in practice (full-width brackets, spaces, ＿).
 */

/** One column of a format: the key the mapper uses and every header name it goes by. */
export interface ColumnSpec {
  key: string;
  /** The current name first (shown in messages), then older names and variants. */
  names: readonly string[];
  /** Without it no row can be mapped: a file lacking it is not this format. */
  required?: boolean;
  /** Read when present but not part of the current standard layout (an older edition's or a city's own). */
  extra?: boolean;
}

/** The header of the current standard layout, for messages and help. */
export function standardHeader(format: TableFormat): string {
  return format.columns.filter((c) => !c.extra).map((c) => c.names[0]).join(', ');
}

export interface TableFormat {
  /** How the format is named in messages, e.g. 'イベント一覧 (events)'. */
  title: string;
  columns: readonly ColumnSpec[];
}

/**
 * The form headers are compared in: NFKC (full-width letters and brackets to ASCII, ＿ to _),
 * no white space at all, no quotes left by broken exports, ASCII lower case (URL, Url, url).
 */
export function headerKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').replace(/^["'※*]+|["'*]+$/g, '').toLowerCase();
}

/** Where each known column is in a file, or which required ones are missing. */
export interface HeaderMatch {
  index: Map<string, number>;
  missing: string[];
  /** Header cells that belong to no known column (kept out of the entity; listed for the curious). */
  unknown: string[];
}

export function matchHeader(header: readonly string[], format: TableFormat): HeaderMatch {
  const positions = new Map<string, number>();
  header.forEach((h, i) => {
    const k = headerKey(h);
    if (k !== '' && !positions.has(k)) positions.set(k, i);
  });
  const index = new Map<string, number>();
  const used = new Set<number>();
  const missing: string[] = [];
  for (const col of format.columns) {
    const at = col.names.map((n) => positions.get(headerKey(n))).find((p) => p !== undefined);
    if (at !== undefined) {
      index.set(col.key, at);
      used.add(at);
    } else if (col.required) {
      missing.push(col.names[0]!);
    }
  }
  const unknown = header.filter((h, i) => !used.has(i) && headerKey(h) !== '');
  return { index, missing, unknown };
}

/** The message for a file that is not the format at all: what is missing, what was expected. */
export function wrongHeaderMessage(format: TableFormat, m: HeaderMatch): string {
  return `this is not a ${format.title} CSV: the header has no column ${m.missing.join(', ')}. Expected the header of the standard data set: ${standardHeader(format)}`;
}

/** One data row, read by column key; a column the file does not have reads as ''. */
export class Row {
  readonly line: number;
  readonly #fields: readonly string[];
  readonly #index: ReadonlyMap<string, number>;

  constructor(line: number, fields: readonly string[], index: ReadonlyMap<string, number>) {
    this.line = line;
    this.#fields = fields;
    this.#index = index;
  }

  /** The cell, trimmed of surrounding white space (ideographic spaces too). */
  get(key: string): string {
    const i = this.#index.get(key);
    return i === undefined ? '' : (this.#fields[i] ?? '').replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }
}
