/**
 * GET /handbook/children/:id/summary.pdf: the child's handbook as a PDF summary (issue 8), for
 * the signed-in guardian, in the page language (?lang=, the cookie, Accept-Language).
 *
 * The route is thin: the guardian gate and the consent gate are `HandbookService.view`'s (so
 * someone else's child is a 404 like a missing one, clinic records are printed only while the
 * parent's consent to the linkage is live, and the reading is in the parent's access log as a
 * view of the page is); the schedule and the growth reference tables are found as the child's
 * page finds them; summary-pdf.ts lays it all out.
 */
import type { FastifyInstance } from 'fastify';
import { accountOrSignIn, pageLanguage } from '../../core/pages.ts';
import { loadGrowthReferences } from './growth/import.ts';
import type { GrowthReferenceTable } from './growth/reference.ts';
import type { HandbookService } from './service.ts';
import { japanDay, renderHandbookSummary } from './summary-pdf.ts';
import { loadSchedule, scheduleFor } from './vaccines/schedule.ts';

export const SUMMARY_PATH = '/handbook/children/:id/summary.pdf';

export function registerHandbookSummaryRoute(app: FastifyInstance, svc: HandbookService): void {
  // The installed tables are read once, as the child's page reads them (again after a failure).
  let references: Promise<GrowthReferenceTable[]> | undefined;
  const referenceTables = () =>
    (references ??= loadGrowthReferences().then(
      (r) => [...r.tables.values()],
      (e: unknown) => {
        references = undefined;
        throw e;
      },
    ));

  app.get<{ Params: { id: string } }>(SUMMARY_PATH, async (req, reply) => {
    // Like every /handbook page: a parent's session, else to the sign-in page and back here.
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    const view = await svc.view(req.principal.tenant ?? '', me, req.params.id);
    const child = view.child;
    const printedAt = svc.now();
    const schedule = scheduleFor({ birthDate: child.birthDate, ...(child.sex ? { sex: child.sex } : {}) }, view.doses, japanDay(printedAt), loadSchedule());
    const pdf = await renderHandbookSummary({ view, schedule, references: await referenceTables(), printedAt }, lang);
    // The birth date names the file (a parent with twins gets the same name twice; the browser
    // numbers them). Only the date's characters reach the header.
    const stamp = /^\d{4}-\d{2}-\d{2}$/.test(child.birthDate) ? child.birthDate : 'child';
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="handbook-${stamp}.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf);
  });
}
