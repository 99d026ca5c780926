import { buildApp } from '../app.ts';
import type { Config } from '../core/config.ts';
import { ensureDemoClient } from '../demo/client.ts';
import { seedDemo } from '../demo/seed.ts';
import { seedDemoAssistantData } from '../services/assistant/data/index.ts';
import { seedDemoPortal } from '../services/portal/demo.ts';
import { demoCatalogueDirectory } from '../services/forms/catalogue.ts';
import { seedDemoHandbook } from '../services/handbook/demo.ts';
import { seedDemoSchools } from '../services/school/demo.ts';

/** Runs the server until SIGINT/SIGTERM, then closes connections and the store cleanly. */
export async function runServe(config: Config): Promise<void> {
  const app = await buildApp(config);
  if (config.demo) {
    const n = await seedDemo(app.hub);
    if (n > 0) app.http.log.info(`seeded the demo city with ${n} entities`);
    const items = await seedDemoPortal(app.portal.service);
    if (items > 0) app.http.log.info(`published ${items} demo items on the portal`);
    const assistantData = await seedDemoAssistantData(app.hub);
    if (assistantData > 0) app.http.log.info(`seeded the assistant's demo data (duty roster, garbage, windows) with ${assistantData} entities`);
    const formDocuments = await app.forms.service.seedCatalogue('', demoCatalogueDirectory);
    if (formDocuments > 0) app.http.log.info(`loaded the model forms catalogue (${formDocuments} documents)`);
    const handbook = await seedDemoHandbook(app, config.dataDir);
    if (handbook.created > 0) app.http.log.info(`the demo health centre registered ${handbook.created} children; their handbook codes and the centre's FHIR client are in ${handbook.file}`);
    const schools = await seedDemoSchools({ service: app.school.service, accounts: app.accounts }, config.dataDir);
    if (schools.created > 0) app.http.log.info(`seeded ${schools.created} demo schools; their enrolment codes and the teachers' sign-ins are in ${schools.file}`);
    const file = await ensureDemoClient(app, config.dataDir);
    app.http.log.info(`the demo sensor service may write to the hub: its client id and secret are in ${file}`);
  }
  const address = await app.http.listen({ port: config.port, host: config.host });
  app.http.log.info(`Machi is listening on ${address} (store: ${app.store.kind}${app.store.kind === 'pglite' ? ` in ${config.dataDir}` : ''})`);
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
