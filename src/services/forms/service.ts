/**
 * The forms service: the catalogue (versioned documents), citizens' drafts, the PDFs, online
 * applications and the departments' inboxes. Pages (pages.ts, staff-pages.ts) stay thin: they
 * parse, call this, and present.
 *
 * Authorisation lives here: a draft is reached only by its owner; an application by its citizen
 * (through the forms client's pairwise subject) or by staff with `application_processor` in its
 * department; the catalogue is changed by `publisher`s of the document's department. Every staff
 * action on an application, opening it included, is a row of its audit trail.
 */
import type { Consent } from '../../consent/index.ts';
import { requireRole, type Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import type { Store } from '../../core/storage.ts';
import type { Accounts } from '../../identity/accounts/index.ts';
import { inputFields, validateAnswers } from './answers.ts';
import { checkCatalogue, checkDictionary, checkForm, checkLifeEvent, loadCatalogueDirectory } from './catalogue.ts';
import { containsMyNumber } from '../../core/japanese.ts';
import {
  APPLICATION_STATUSES,
  type ApplicableForm,
  type Answers,
  type Application,
  type ApplicationEvent,
  type ApplicationStatus,
  type Catalogue,
  type FieldDictionary,
  type FieldProblem,
  type FormDefinition,
  type LifeEvent,
  type PrefillSource,
} from './model.ts';
import { renderForms } from './pdf.ts';
import { decodeQrPayload } from './qr.ts';
import { applicableForms, checkQuestionAnswers } from './rules.ts';
import * as db from './store.ts';

export const FORMS_CLIENT = 'machi-forms';
/** The purpose citizens consent to so that the input screen is filled in from their profile. */
export const PREFILL_PURPOSE = 'forms-prefill';
export const PREFILL_CATEGORIES = ['name', 'profile', 'contact'] as const;
type PrefillCategory = (typeof PREFILL_CATEGORIES)[number];
const SCOPES_OF: Record<PrefillCategory, string[]> = { name: ['name'], profile: ['profile'], contact: ['email', 'address', 'phone'] };

/** Life events, the dictionary and the shared catalogue pages belong to the citizens' affairs division. */
export const CATALOGUE_DEPARTMENT = 'shimin';

/** How long an untouched draft is kept. */
const DRAFT_DAYS = 3;
/** How long a process reuses the catalogue before reading it again (other processes may change it). */
const CATALOGUE_CACHE_MS = 15_000;
const MAX_COMMENT = 2_000;
/** Openings of an application by the same person within this time are one row of its trail. */
const OPENED_WINDOW_MS = 10 * 60_000;
const MAX_REASON = 1_000;

/** Which status may follow which (a returned application goes back to 'received' when resubmitted). */
export const NEXT_STATUS: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  received: ['in_review', 'completed', 'returned'],
  in_review: ['received', 'completed', 'returned'],
  returned: [],
  completed: [],
};

export interface FormsServiceDeps {
  store: Store;
  accounts: Pick<Accounts, 'claimsFor'>;
  consent: Pick<Consent, 'list' | 'readPersonalData'>;
  subjectFor(clientId: string, accountId: string): Promise<string>;
  now?: () => Date;
}

/** What the window learns from a scanned QR code. */
export type ScanResult = { kind: 'application'; application: Application } | { kind: 'paper'; form: FormDefinition | undefined; formId: string; formVersion: number; answers: Answers; reference?: string };

export class FormsService {
  readonly #d: FormsServiceDeps;
  readonly #cache = new Map<string, { at: number; catalogue: Catalogue }>();

  constructor(deps: FormsServiceDeps) {
    this.#d = deps;
  }

  now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  // ---- the catalogue ---------------------------------------------------------------------------

  /** The current catalogue: every document at its highest version (retired ones included). */
  async catalogue(tenant: string): Promise<Catalogue> {
    const hit = this.#cache.get(tenant);
    if (hit && Date.now() - hit.at < CATALOGUE_CACHE_MS) return hit.catalogue;
    const docs = await db.currentDocuments(this.#d.store, tenant);
    const dictionary = docs.find((d) => d.kind === 'fields')?.body as FieldDictionary | undefined;
    const catalogue: Catalogue = {
      dictionary: dictionary ?? { version: 0, groups: [], fields: {} },
      forms: docs.filter((d) => d.kind === 'form').map((d) => d.body as unknown as FormDefinition),
      events: docs
        .filter((d) => d.kind === 'event')
        .map((d) => d.body as unknown as LifeEvent)
        .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id)),
    };
    this.#cache.set(tenant, { at: Date.now(), catalogue });
    return catalogue;
  }

  /** Life events offered to citizens. */
  async lifeEvents(tenant: string): Promise<LifeEvent[]> {
    return (await this.catalogue(tenant)).events.filter((e) => !e.retired);
  }

  async lifeEvent(tenant: string, id: string): Promise<LifeEvent> {
    const event = (await this.lifeEvents(tenant)).find((e) => e.id === id);
    if (!event) throw new AppError('ResourceNotFound', `there is no life event '${id}'`);
    return event;
  }

  /**
   * Loads the catalogue shipped in `dir` (the JSON layout of `catalogue/`) as version 1 of each
   * document, when the tenant has no catalogue yet. Returns how many documents were written.
   */
  async seedCatalogue(tenant: string, dir: string): Promise<number> {
    if (await db.hasDocuments(this.#d.store, tenant)) return 0;
    const loaded = await loadCatalogueDirectory(dir);
    return this.#writeCatalogue(tenant, loaded, 'machi');
  }

  /**
   * `machi forms load <dir>`: checks every document of the folder against the others, then writes
   * a new version of each that differs from the current one, all in one transaction.
   */
  async loadCatalogue(tenant: string, dir: string, by = 'machi-cli'): Promise<number> {
    const loaded = await loadCatalogueDirectory(dir);
    return this.#writeCatalogue(tenant, loaded, by);
  }

  async #writeCatalogue(tenant: string, c: Catalogue, by: string): Promise<number> {
    const problems = checkCatalogue(c);
    if (problems.length > 0) throw new AppError('BadRequestData', `the catalogue has problems: ${problems.slice(0, 20).join('; ')}`);
    const current = await db.currentDocuments(this.#d.store, tenant);
    const same = (kind: db.DocumentKind, id: string, body: object) => {
      const cur = current.find((d) => d.kind === kind && d.id === id);
      return cur !== undefined && sameContent(cur.body, body);
    };
    let written = 0;
    await this.#d.store.transaction(async (tx) => {
      const docs: Array<{ kind: db.DocumentKind; id: string; body: object }> = [
        { kind: 'fields', id: 'fields', body: c.dictionary },
        ...c.forms.map((f) => ({ kind: 'form' as const, id: f.id, body: f })),
        ...c.events.map((e) => ({ kind: 'event' as const, id: e.id, body: e })),
      ];
      for (const d of docs) {
        if (same(d.kind, d.id, d.body)) continue;
        await db.insertDocumentVersion(tx, tenant, { kind: d.kind, id: d.id, body: d.body as Record<string, unknown>, retired: (d.body as { retired?: boolean }).retired === true }, by);
        written++;
      }
    });
    this.#cache.delete(tenant);
    return written;
  }

  /** The department a document belongs to, for the publisher check. */
  #departmentOf(kind: db.DocumentKind, body: Record<string, unknown>): string {
    return kind === 'form' && typeof body.department === 'string' ? body.department : CATALOGUE_DEPARTMENT;
  }

  /** Staff: the current documents (every kind), for the catalogue pages. */
  async staffDocuments(by: Principal, tenant: string): Promise<db.StoredDocument[]> {
    requireCatalogueStaff(by);
    return db.currentDocuments(this.#d.store, tenant);
  }

  async staffDocument(by: Principal, tenant: string, kind: db.DocumentKind, id: string, version?: number): Promise<{ document: db.StoredDocument; versions: Array<Omit<db.StoredDocument, 'body'>> }> {
    requireCatalogueStaff(by);
    const document = await db.findDocument(this.#d.store, tenant, kind, id, version);
    if (!document) throw new AppError('ResourceNotFound', `there is no ${kind} '${id}'${version ? ` version ${version}` : ''}`);
    return { document, versions: await db.documentVersions(this.#d.store, tenant, kind, id) };
  }

  /**
   * Staff save a document: checked on its own and against the rest of the catalogue, then stored
   * as the next version. `basedOn` is the version the editor started from: when someone saved in
   * between, the save is refused (409) instead of silently overwriting their change.
   */
  async saveDocument(by: Principal, tenant: string, kind: db.DocumentKind, input: unknown, basedOn?: number): Promise<db.StoredDocument> {
    const catalogue = await this.catalogue(tenant);
    const checked =
      kind === 'fields' ? checkDictionary(input) : kind === 'form' ? checkForm(input, catalogue.dictionary) : checkLifeEvent(input, catalogue.forms);
    if (!checked.ok) throw new AppError('BadRequestData', checked.problems.join('\n'), { problems: checked.problems });
    const body = checked.value as unknown as Record<string, unknown> & { id?: string };
    const id = kind === 'fields' ? 'fields' : String(body.id);
    const previous = await db.findDocument(this.#d.store, tenant, kind, id);
    requireRole(by, 'publisher', this.#departmentOf(kind, body), `changing the ${kind} '${id}'`);
    if (previous && kind === 'form') requireRole(by, 'publisher', this.#departmentOf(kind, previous.body), `moving the form '${id}' to another department`);
    // The whole catalogue must still hold together with the new document in it.
    const next: Catalogue = {
      dictionary: kind === 'fields' ? (body as unknown as FieldDictionary) : catalogue.dictionary,
      forms: kind === 'form' ? [...catalogue.forms.filter((f) => f.id !== id), body as unknown as FormDefinition] : catalogue.forms,
      events: kind === 'event' ? [...catalogue.events.filter((e) => e.id !== id), body as unknown as LifeEvent] : catalogue.events,
    };
    const problems = checkCatalogue(next);
    if (problems.length > 0) throw new AppError('BadRequestData', `this change would break the catalogue: ${problems.slice(0, 20).join('; ')}`, { problems });
    const version = await this.#d.store.transaction(async (tx) => {
      if (basedOn !== undefined) {
        const cur = await db.findDocument(tx, tenant, kind, id);
        if ((cur?.version ?? 0) !== basedOn) {
          throw new AppError('Conflict', `the ${kind} '${id}' was changed to version ${cur?.version ?? 0} while you edited version ${basedOn}; reload it and apply your change again`);
        }
      }
      return db.insertDocumentVersion(tx, tenant, { kind, id, body, retired: body.retired === true }, by.accountId ?? 'unknown');
    });
    this.#cache.delete(tenant);
    return (await db.findDocument(this.#d.store, tenant, kind, id, version))!;
  }

  // ---- drafts ----------------------------------------------------------------------------------

  /** The draft owner of a signed-in citizen (pairwise subject of the forms client). */
  async citizenOwner(accountId: string): Promise<string> {
    return `subject:${await this.#d.subjectFor(FORMS_CLIENT, accountId)}`;
  }

  async startDraft(tenant: string, owner: string, eventId: string): Promise<db.Draft> {
    await this.lifeEvent(tenant, eventId);
    return db.insertDraft(this.#d.store, tenant, owner, eventId, this.#draftExpiry());
  }

  async draft(tenant: string, id: string, owner: string): Promise<db.Draft> {
    const d = /^[0-9a-f-]{36}$/i.test(id) ? await db.findDraft(this.#d.store, tenant, id, owner, this.now()) : undefined;
    if (!d) throw new AppError('ResourceNotFound', 'this form session has expired or belongs to someone else; please start again');
    return d;
  }

  /** A browser's drafts become the citizen's when they sign in. */
  adoptDrafts(tenant: string, browserOwner: string, citizenOwner: string): Promise<void> {
    return db.adoptDrafts(this.#d.store, tenant, browserOwner, citizenOwner);
  }

  /** Checks and keeps the answers to the life event's questions. */
  async answerQuestions(tenant: string, draft: db.Draft, raw: Record<string, string | undefined>): Promise<{ problems: FieldProblem[]; forms: ApplicableForm[] }> {
    const event = await this.lifeEvent(tenant, draft.eventId);
    const { answers, problems } = checkQuestionAnswers(event, raw);
    if (problems.length > 0) return { problems, forms: [] };
    await db.updateDraft(this.#d.store, tenant, draft.id, { questions: answers, expiresAt: this.#draftExpiry() });
    draft.questions = answers;
    return { problems, forms: await this.applicable(tenant, draft) };
  }

  /** The forms that apply to the draft's answers (none until the questions are answered). */
  async applicable(tenant: string, draft: db.Draft): Promise<ApplicableForm[]> {
    const catalogue = await this.catalogue(tenant);
    const event = catalogue.events.find((e) => e.id === draft.eventId && !e.retired);
    if (!event) throw new AppError('ResourceNotFound', `the life event '${draft.eventId}' is no longer offered; please start again`);
    const { problems } = checkQuestionAnswers(event, stringsOf(draft.questions));
    if (problems.length > 0) return [];
    return applicableForms(catalogue, event, draft.questions);
  }

  /** The input screen's fields: the union of the applicable forms' fields, grouped. */
  async inputFieldsOf(tenant: string, draft: db.Draft): Promise<ReturnType<typeof inputFields>> {
    const forms = (await this.applicable(tenant, draft)).map((a) => a.form);
    return inputFields(await this.catalogue(tenant), forms);
  }

  /**
   * Checks the posted answers against every applicable form's fields and keeps the valid ones
   * (normalised), so that nothing valid is lost when another field is wrong.
   */
  async saveAnswers(tenant: string, draft: db.Draft, raw: Record<string, string | undefined>): Promise<{ answers: Answers; problems: FieldProblem[] }> {
    const catalogue = await this.catalogue(tenant);
    const groups = await this.inputFieldsOf(tenant, draft);
    const fields = groups.flatMap((g) => g.fields.map((f) => ({ name: f.name, required: f.required })));
    const { answers, problems } = validateAnswers(catalogue.dictionary, fields, raw);
    const bad = new Set(problems.map((p) => p.field));
    const kept: Answers = {};
    for (const f of fields) {
      if (bad.has(f.name)) continue;
      const v = answers[f.name];
      if (v !== undefined) kept[f.name] = v;
    }
    await db.updateDraft(this.#d.store, tenant, draft.id, { answers: kept, expiresAt: this.#draftExpiry() });
    draft.answers = kept;
    return { answers: kept, problems };
  }

  /** Which required fields of a form the draft still lacks (the form cannot be printed or sent). */
  missingFor(form: FormDefinition, answers: Answers): string[] {
    return form.required.filter((f) => answers[f] === undefined || answers[f] === '');
  }

  /**
   * The profile values the input screen may start from: read through the consent gate (one
   * access-log row per read) and only with a live consent to `forms-prefill`, and only the
   * categories it covers. Without one the answer says so and nothing is read.
   */
  async prefill(accountId: string): Promise<{ consent: boolean; values: Partial<Record<PrefillSource, string>> }> {
    const live = (await this.#d.consent.list(accountId)).find((c) => c.recipient === FORMS_CLIENT && c.purpose === PREFILL_PURPOSE && c.status === 'active');
    if (!live) return { consent: false, values: {} };
    const categories = live.categories.filter((c): c is PrefillCategory => (PREFILL_CATEGORIES as readonly string[]).includes(c));
    if (categories.length === 0) return { consent: true, values: {} };
    const claims = await this.#d.consent.readPersonalData(
      { recipient: FORMS_CLIENT, purpose: PREFILL_PURPOSE, categories, subject: accountId },
      () => this.#d.accounts.claimsFor(accountId, categories.flatMap((c) => SCOPES_OF[c])),
    );
    return { consent: true, values: prefillValuesOf(claims) };
  }

  /**
   * The PDFs of the draft's applicable forms (`formIds` chooses some; all by default), one document
   * with a page or more per form. A form that still lacks required answers is refused: the window
   * cannot accept it either.
   */
  async pdf(tenant: string, draft: db.Draft, formIds?: readonly string[], references: ReadonlyMap<string, string> = new Map()): Promise<Buffer> {
    const catalogue = await this.catalogue(tenant);
    const applicable = (await this.applicable(tenant, draft)).map((a) => a.form);
    const chosen = formIds ? applicable.filter((f) => formIds.includes(f.id)) : applicable;
    if (chosen.length === 0) throw new AppError('ResourceNotFound', formIds ? `none of the forms ${formIds.join(', ')} applies to these answers` : 'no form applies to these answers yet');
    for (const form of chosen) {
      const missing = this.missingFor(form, draft.answers);
      if (missing.length > 0) throw new AppError('BadRequestData', `the form '${form.id}' still needs: ${missing.join(', ')}`);
    }
    return renderForms(
      catalogue.dictionary,
      chosen.map((form) => ({ form, answers: pick(draft.answers, form.fields), ...(references.has(form.id) ? { reference: references.get(form.id)! } : {}) })),
      { generatedAt: this.now() },
    );
  }

  // ---- applications: citizens ------------------------------------------------------------------

  /**
   * Sends the draft's online forms (those of `formIds` that allow it, all by default) as
   * applications, in one transaction. Sending the same draft again returns the same applications.
   */
  async submit(tenant: string, accountId: string, draft: db.Draft, formIds?: readonly string[]): Promise<{ applications: Application[]; created: number }> {
    const subject = await this.#d.subjectFor(FORMS_CLIENT, accountId);
    if (draft.owner !== `subject:${subject}`) throw new AppError('Forbidden', 'only the citizen who filled in this form can send it');
    const applicable = (await this.applicable(tenant, draft)).map((a) => a.form);
    const online = applicable.filter((f) => f.procedure.online && (!formIds || formIds.includes(f.id)));
    if (online.length === 0) throw new AppError('BadRequestData', 'none of the chosen forms can be sent online; print them and take them to the window');
    for (const form of online) {
      const missing = this.missingFor(form, draft.answers);
      if (missing.length > 0) throw new AppError('BadRequestData', `the form '${form.id}' still needs: ${missing.join(', ')}`);
    }
    const now = this.now();
    const results = await this.#d.store.transaction(async (tx) => {
      const out: Array<{ application: Application; created: boolean }> = [];
      for (const form of online) {
        out.push(
          await db.insertApplication(
            tx,
            tenant,
            { subject, formId: form.id, formVersion: form.version, lifeEvent: draft.eventId, department: form.department, answers: pick(draft.answers, form.fields), submissionKey: draft.submissionKey },
            now,
          ),
        );
      }
      return out;
    });
    return { applications: results.map((r) => r.application), created: results.filter((r) => r.created).length };
  }

  /** The applications already sent from this draft (so its result page shows their references). */
  async applicationsOfDraft(tenant: string, accountId: string, draft: db.Draft): Promise<Application[]> {
    const subject = await this.#d.subjectFor(FORMS_CLIENT, accountId);
    if (draft.owner !== `subject:${subject}`) return [];
    return db.applicationsOfSubmission(this.#d.store, tenant, subject, draft.submissionKey);
  }

  async myApplications(tenant: string, accountId: string): Promise<Application[]> {
    return db.applicationsOf(this.#d.store, tenant, await this.#d.subjectFor(FORMS_CLIENT, accountId));
  }

  /** The citizen's own application with its public history (staff comments are internal). */
  async myApplication(tenant: string, accountId: string, id: string): Promise<{ application: Application; history: ApplicationEvent[]; form: FormDefinition | undefined }> {
    const subject = await this.#d.subjectFor(FORMS_CLIENT, accountId);
    const application = await db.findOwnApplication(this.#d.store, tenant, id, subject);
    if (!application) throw new AppError('ResourceNotFound', `you have no application '${id}'`);
    const history = (await db.eventsOf(this.#d.store, tenant, id))
      .filter((e) => e.action === 'submitted' || e.action === 'status' || e.action === 'resubmitted')
      .map((e) => ({ ...e, actor: e.actor === 'citizen' ? 'citizen' : 'staff' }));
    return { application, history, form: await this.formVersion(tenant, application.formId, application.formVersion) };
  }

  /** A returned application, corrected by its citizen: checked again and back in the inbox. */
  async resubmit(tenant: string, accountId: string, id: string, raw: Record<string, string | undefined>): Promise<{ application?: Application; problems: FieldProblem[] }> {
    const subject = await this.#d.subjectFor(FORMS_CLIENT, accountId);
    const own = await db.findOwnApplication(this.#d.store, tenant, id, subject);
    if (!own) throw new AppError('ResourceNotFound', `you have no application '${id}'`);
    if (own.status !== 'returned') throw new AppError('Conflict', `application ${own.reference} is ${own.status}; only a returned application can be corrected`);
    const catalogue = await this.catalogue(tenant);
    const form = catalogue.forms.find((f) => f.id === own.formId && !f.retired);
    if (!form) throw new AppError('Conflict', `the form of application ${own.reference} is no longer offered; please contact the window`);
    const { answers, problems } = validateAnswers(catalogue.dictionary, form.fields.map((name) => ({ name, required: form.required.includes(name) })), raw);
    if (problems.length > 0) return { problems };
    const now = this.now();
    await this.#d.store.transaction(async (tx) => {
      const locked = await db.findApplication(tx, tenant, id, true);
      if (locked?.status !== 'returned') throw new AppError('Conflict', `application ${own.reference} was already corrected`);
      await db.updateApplication(tx, tenant, id, { status: 'received', returnReason: null, answers: pick(answers, form.fields), formVersion: form.version }, now);
      await db.insertEvent(tx, tenant, id, 'citizen', 'resubmitted', { formVersion: form.version }, now);
    });
    return { application: (await db.findApplication(this.#d.store, tenant, id))!, problems: [] };
  }

  /** A form as it was at a version (applications keep the version they were made with). */
  async formVersion(tenant: string, id: string, version: number): Promise<FormDefinition | undefined> {
    const doc = await db.findDocument(this.#d.store, tenant, 'form', id, version);
    return doc?.body as unknown as FormDefinition | undefined;
  }

  // ---- applications: staff ---------------------------------------------------------------------

  /** The departments whose inbox `by` may read; undefined for all of them. */
  inboxDepartments(by: Principal): string[] | undefined {
    const grants = by.roles.filter((g) => g.role === 'application_processor' || g.role === 'administrator');
    if (grants.length === 0) requireRole(by, 'application_processor', '*', 'the application inbox');
    if (grants.some((g) => g.department === '*')) return undefined;
    return [...new Set(grants.map((g) => g.department))].sort();
  }

  async inbox(
    by: Principal,
    tenant: string,
    f: { department?: string; status?: ApplicationStatus; mine?: boolean; limit?: number; offset?: number } = {},
  ): Promise<{ applications: Application[]; total: number; departments: string[] | undefined }> {
    const departments = this.inboxDepartments(by);
    if (f.department) requireRole(by, 'application_processor', f.department, `the inbox of '${f.department}'`);
    if (f.status && !(APPLICATION_STATUSES as readonly string[]).includes(f.status)) throw new AppError('BadRequestData', `'${f.status}' is not a status (${APPLICATION_STATUSES.join(', ')})`);
    const page = await db.listApplications(this.#d.store, tenant, {
      ...(f.department ? { departments: [f.department] } : departments ? { departments } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.mine && by.accountId ? { assignedTo: by.accountId } : {}),
      limit: Math.min(Math.max(f.limit ?? 50, 1), 200),
      offset: Math.max(f.offset ?? 0, 0),
    });
    return { ...page, departments };
  }

  /** Staff open an application: recorded in its audit trail. */
  async staffApplication(by: Principal, tenant: string, id: string): Promise<{ application: Application; events: ApplicationEvent[]; form: FormDefinition | undefined }> {
    const application = await this.#staffFind(by, tenant, id, 'reading this application');
    await db.recordOpened(this.#d.store, tenant, id, by.accountId ?? 'unknown', this.now(), OPENED_WINDOW_MS);
    return { application, events: await db.eventsOf(this.#d.store, tenant, id), form: await this.formVersion(tenant, application.formId, application.formVersion) };
  }

  /**
   * Staff find an application by the reference the citizen reads out or shows at the window
   * (MC-20261202-0007), typed by hand when there is no code to scan. Not recorded as 'opened':
   * the page it leads to records that.
   */
  async byReference(by: Principal, tenant: string, reference: string): Promise<Application> {
    this.inboxDepartments(by);
    const application = await db.findApplicationByReference(this.#d.store, tenant, reference);
    if (!application) throw new AppError('ResourceNotFound', `there is no application ${reference}`);
    requireRole(by, 'application_processor', application.department, 'reading this application');
    return application;
  }

  async #staffFind(by: Principal, tenant: string, id: string, what: string): Promise<Application> {
    const application = await db.findApplication(this.#d.store, tenant, id);
    if (!application) throw new AppError('ResourceNotFound', `there is no application '${id}'`);
    requireRole(by, 'application_processor', application.department, what);
    return application;
  }

  /** Moves an application on; 'returned' needs a reason the citizen will read. */
  async setStatus(by: Principal, tenant: string, id: string, status: string, reason?: string): Promise<Application> {
    if (!(APPLICATION_STATUSES as readonly string[]).includes(status)) throw new AppError('BadRequestData', `'${status}' is not a status (${APPLICATION_STATUSES.join(', ')})`);
    const to = status as ApplicationStatus;
    await this.#staffFind(by, tenant, id, 'changing this application');
    const why = cleanText(reason ?? '');
    if (to === 'returned' && why === '') throw new AppError('BadRequestData', 'say why the application is returned: the citizen reads it and corrects the application');
    if (why.length > MAX_REASON) throw new AppError('BadRequestData', `the reason is ${why.length} characters; at most ${MAX_REASON}`);
    if (containsMyNumber(why)) throw new AppError('BadRequestData', 'the reason must not contain a My Number (個人番号)');
    const now = this.now();
    await this.#d.store.transaction(async (tx) => {
      const current = (await db.findApplication(tx, tenant, id, true))!;
      if (current.status === to) throw new AppError('Conflict', `application ${current.reference} is already ${to}`);
      if (!NEXT_STATUS[current.status].includes(to)) throw new AppError('Conflict', `application ${current.reference} is ${current.status}; it cannot become ${to}`);
      await db.updateApplication(tx, tenant, id, { status: to, returnReason: to === 'returned' ? why : null }, now);
      await db.insertEvent(tx, tenant, id, by.accountId ?? 'unknown', 'status', { from: current.status, to, ...(to === 'returned' ? { reason: why } : {}) }, now);
    });
    return (await db.findApplication(this.#d.store, tenant, id))!;
  }

  /** Assigns the application to a staff member (`to` an account id; null to unassign). */
  async assign(by: Principal, tenant: string, id: string, to: string | null): Promise<Application> {
    await this.#staffFind(by, tenant, id, 'assigning this application');
    if (to !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(to)) throw new AppError('BadRequestData', `'${to}' is not an account id`);
    const now = this.now();
    await this.#d.store.transaction(async (tx) => {
      const current = (await db.findApplication(tx, tenant, id, true))!;
      if ((current.assignedTo ?? null) === to) return;
      await db.updateApplication(tx, tenant, id, { assignedTo: to }, now);
      await db.insertEvent(tx, tenant, id, by.accountId ?? 'unknown', 'assigned', { from: current.assignedTo ?? null, to }, now);
    });
    return (await db.findApplication(this.#d.store, tenant, id))!;
  }

  /** An internal comment (staff only; never shown to the citizen). */
  async comment(by: Principal, tenant: string, id: string, text: string): Promise<void> {
    await this.#staffFind(by, tenant, id, 'commenting on this application');
    const t = cleanText(text);
    if (t === '') throw new AppError('BadRequestData', 'the comment is empty');
    if (t.length > MAX_COMMENT) throw new AppError('BadRequestData', `the comment is ${t.length} characters; at most ${MAX_COMMENT}`);
    if (containsMyNumber(t)) throw new AppError('BadRequestData', 'a comment must not contain a My Number (個人番号)');
    await db.insertEvent(this.#d.store, tenant, id, by.accountId ?? 'unknown', 'comment', { text: t }, this.now());
  }

  /**
   * The window scans a form's QR code: with a reference of an application in one of `by`'s
   * departments it opens that; otherwise it shows the printed answers so nobody retypes them.
   */
  async scan(by: Principal, tenant: string, text: string): Promise<ScanResult> {
    this.inboxDepartments(by);
    let payload;
    try {
      payload = decodeQrPayload(text.trim());
    } catch (e) {
      throw new AppError('BadRequestData', `this is not a Machi form code: ${(e as Error).message}`);
    }
    if (payload.reference) {
      const application = await db.findApplicationByReference(this.#d.store, tenant, payload.reference);
      if (application) {
        requireRole(by, 'application_processor', application.department, 'reading this application');
        return { kind: 'application', application };
      }
    }
    const form = await this.formVersion(tenant, payload.formId, payload.formVersion);
    if (form) requireRole(by, 'application_processor', form.department, `reading a form of '${form.department}'`);
    return { kind: 'paper', form, formId: payload.formId, formVersion: payload.formVersion, answers: payload.answers, ...(payload.reference ? { reference: payload.reference } : {}) };
  }

  #draftExpiry(): Date {
    return new Date(this.now().getTime() + DRAFT_DAYS * 86_400_000);
  }
}

function requireCatalogueStaff(by: Principal): void {
  if (!by.roles.some((g) => g.role === 'publisher' || g.role === 'administrator')) requireRole(by, 'publisher', CATALOGUE_DEPARTMENT, 'the forms catalogue');
}

/** Claims (OIDC Core 5.1, with the kana as `#ja-Kana-JP` language-tagged claims) -> prefill values. */
export function prefillValuesOf(claims: Record<string, unknown>): Partial<Record<PrefillSource, string>> {
  const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const out: Partial<Record<PrefillSource, string>> = {};
  const family = s(claims.family_name);
  const given = s(claims.given_name);
  if (family || given) out.name = [family, given].filter(Boolean).join('　');
  const familyKana = s(claims['family_name#ja-Kana-JP']);
  const givenKana = s(claims['given_name#ja-Kana-JP']);
  if (familyKana || givenKana) out.nameKana = [familyKana, givenKana].filter(Boolean).join('　');
  const birthdate = s(claims.birthdate);
  if (birthdate) out.birthdate = birthdate;
  const gender = s(claims.gender);
  if (gender) out.gender = gender;
  const address = claims.address as { postal_code?: unknown; formatted?: unknown } | undefined;
  if (address && typeof address === 'object') {
    const postal = s(address.postal_code);
    if (postal) out.postalCode = postal;
    const formatted = s(address.formatted);
    if (formatted) out.address = formatted;
  }
  const phone = s(claims.phone_number);
  // E.164 (+81 242 39 1111) back to the domestic form people write on forms (0242391111).
  if (phone) out.phone = phone.startsWith('+81') ? `0${phone.slice(3)}` : phone;
  const email = s(claims.email);
  if (email) out.email = email;
  return out;
}

function pick(answers: Answers, fields: readonly string[]): Answers {
  const out: Answers = {};
  for (const f of fields) if (answers[f] !== undefined) out[f] = answers[f]!;
  return out;
}

function stringsOf(q: Record<string, boolean | string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) out[k] = v === true ? 'yes' : v === false ? 'no' : v;
  return out;
}

/** Control and bidi-override characters removed, NFC, trimmed. */
function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.normalize('NFC').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, '').trim();
}

/** Whether two JSON documents say the same, the version number aside. */
function sameContent(a: object, b: object): boolean {
  const strip = (o: object) => JSON.stringify(sortKeys({ ...o, version: 0 }));
  return strip(a) === strip(b);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, sortKeys(x)]));
  return v;
}
