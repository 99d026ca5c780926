/**
 * The shapes of the life-event forms service (issue 7), shared by its parts: the catalogue (field
 * dictionary, forms, life events: data that staff edit, versioned), the rules that choose forms,
 * the answers a citizen gives, the PDFs, and the applications sent online.
 *
 * The catalogue is data, not code. A city changes it on `/staff/forms/catalogue` or with
 * `machi forms load`; each change is a new version of one document, and an application keeps the
 * version of the form it was made with.
 */

/** A text in Japanese and, where staff wrote them, other site languages (ja always present). */
export type LocalText = { ja: string; en?: string; 'zh-Hans'?: string; 'zh-Hant'?: string; ko?: string; th?: string };

/** The value formats fields can have, each checked by `japanese.ts` or `answers.ts`. */
/** `digits`: numbers written as text, leading zeros kept (account numbers, customer numbers). */
export const FIELD_FORMATS = ['date', 'email', 'jp-postal-code', 'jp-phone', 'jp-kanji-name', 'jp-kana-name', 'jp-address', 'digits'] as const;
export type FieldFormat = (typeof FIELD_FORMATS)[number];

/**
 * Where a field's value can come from in the citizen's regional ID profile (read only with the
 * citizen's consent to the purpose `forms-prefill`, through the consent gate).
 */
export const PREFILL_SOURCES = ['name', 'nameKana', 'birthdate', 'gender', 'postalCode', 'address', 'phone', 'email'] as const;
export type PrefillSource = (typeof PREFILL_SOURCES)[number];

/**
 * One field of the catalogue's dictionary: a JSON Schema (draft 2020-12) property schema plus
 * Machi's `x-` keywords. Every form names its fields from this one dictionary, so the input screen
 * can ask each question once however many forms need it.
 */
export interface FieldSchema {
  type: 'string' | 'integer' | 'boolean';
  /** Only with type string. */
  format?: FieldFormat;
  /** The field's name in Japanese, as printed on the paper form. */
  title: string;
  /** The name in the other site languages (ja repeats `title`). */
  'x-title': LocalText;
  /** A hint shown under the input. */
  'x-help'?: LocalText;
  /** Closed choices (type string): the stored values. */
  enum?: string[];
  /** Labels of the `enum` values. */
  'x-enum-titles'?: Record<string, LocalText>;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** Several lines of text (a textarea). */
  'x-multiline'?: boolean;
  'x-prefill'?: PrefillSource;
  /** The group it is asked in on the input screen (an id of `Catalogue.groups`). */
  'x-group': string;
}

export interface FieldGroup {
  id: string;
  title: LocalText;
  /** Ascending: the order of groups on the input screen. */
  order: number;
}

/** The dictionary document: all fields and their groups. Versioned as one document (id 'fields'). */
export interface FieldDictionary {
  version: number;
  groups: FieldGroup[];
  fields: Record<string, FieldSchema>;
}

/** What a procedure is and where it is done: shown beside each applicable form. */
export interface Procedure {
  /** The window (窓口) that handles it, e.g. 市民課 住民記録係 (本庁舎1階 2番窓口). */
  window: LocalText;
  /** What to bring. */
  bring: LocalText[];
  deadline?: LocalText;
  fee?: LocalText;
  /** Whether the form may be sent online; otherwise it is printed and taken to the window. */
  online: boolean;
  notes?: LocalText[];
}

/**
 * A printed form, laid out as a grid like the city's paper form: sections of rows, each row of
 * cells on a 12-column grid. A cell prints a label and, when it names a field, the answer.
 */
export interface FormLayout {
  /** The heading printed at the top, e.g. 住民異動届. */
  heading: string;
  /** The addressee line, e.g. 真知市長 様. */
  addressee?: string;
  sections: LayoutSection[];
  /** Small print at the bottom of the page. */
  footnotes?: string[];
}

export interface LayoutSection {
  heading?: string;
  rows: LayoutCell[][];
}

export interface LayoutCell {
  /** Printed in the cell's label part (Japanese, as on paper). */
  label: string;
  /** The answer printed in the cell; a field of the form. */
  field?: string;
  /** Columns of 12 the cell takes; the cells of a row add up to at most 12. Default 12 / cells. */
  span?: number;
  /** Lines of text the cell has room for (default 1). */
  lines?: number;
  /**
   * A box the window fills in (受付印, 個人番号 …): printed empty with this note. The My Number is
   * never asked for online nor stored: forms that need it have such a box.
   */
  windowOnly?: string;
}

/** A form: a procedure of one department, its fields and its paper layout. */
export interface FormDefinition {
  id: string;
  version: number;
  title: LocalText;
  /** The department whose inbox receives it, e.g. 'shimin' (市民課). */
  department: string;
  procedure: Procedure;
  /** Names of fields of the dictionary. */
  fields: string[];
  /** The subset of `fields` that must be answered. */
  required: string[];
  layout: FormLayout;
  /** A retired form is kept for its applications but no longer offered. */
  retired?: boolean;
}

/** A question that decides which procedures of a life event apply. */
export interface Question {
  id: string;
  text: LocalText;
  help?: LocalText;
  kind: 'boolean' | 'choice';
  /** For kind 'choice'. */
  options?: Array<{ value: string; label: LocalText }>;
}

/** The answers to the questions: true/false or an option value. */
export type QuestionAnswers = Record<string, boolean | string>;

/** A condition over the answers to the questions (rules as data). */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { question: string; equals: boolean | string }
  | { question: string; in: string[] };

export interface ProcedureRule {
  /** A form id. */
  form: string;
  /** When absent, the form applies to everyone with this life event. */
  when?: Condition;
  /** Why it applies, shown beside it, e.g. 15歳未満のお子さんがいるため. */
  reason: LocalText;
}

export interface LifeEvent {
  id: string;
  version: number;
  title: LocalText;
  description: LocalText;
  /** Ascending: the order on `/forms`. */
  order: number;
  questions: Question[];
  procedures: ProcedureRule[];
  retired?: boolean;
}

/** The current versions of everything: what the citizen's pages and the rules read. */
export interface Catalogue {
  dictionary: FieldDictionary;
  forms: FormDefinition[];
  events: LifeEvent[];
}

/** A procedure that applies, with the reason. */
export interface ApplicableForm {
  form: FormDefinition;
  reason: LocalText;
}

/** Stored answers: normalised values (dates YYYY-MM-DD, postal codes 123-4567, phones with dashes). */
export type Answers = Record<string, string | number | boolean>;

/** A field's problem, in the citizen's language and English. */
export interface FieldProblem {
  field: string;
  message: LocalText;
}

export const APPLICATION_STATUSES = ['received', 'in_review', 'completed', 'returned'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** A form sent online. */
export interface Application {
  id: string;
  /** Printed and spoken at the window: e.g. MC-20261202-0007. */
  reference: string;
  formId: string;
  formVersion: number;
  /** The life event it was made for, if any. */
  lifeEvent?: string;
  department: string;
  status: ApplicationStatus;
  /** With status 'returned': what the citizen must fix. */
  returnReason?: string;
  /** The staff member's account id. */
  assignedTo?: string;
  answers: Answers;
  submittedAt: string;
  updatedAt: string;
}

/** One line of an application's audit trail (every staff and citizen action). */
export interface ApplicationEvent {
  at: string;
  /** 'citizen' or a staff account id. */
  actor: string;
  action: 'submitted' | 'status' | 'assigned' | 'comment' | 'opened' | 'resubmitted';
  detail: Record<string, unknown>;
}

/**
 * What the QR code on a printed form carries, so the window reads the answers instead of retyping
 * them (書かない窓口): the form and version, the answers, and the application's reference when the
 * form was also sent online.
 */
export interface QrPayload {
  formId: string;
  formVersion: number;
  answers: Answers;
  reference?: string;
}
