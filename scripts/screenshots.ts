/**
 * `npm run screenshots`: regenerates docs/screenshots/, pictures of the main pages in Japanese and
 * English, so that reviewers can see the pages without running Machi.
 *
 * It runs a throw-away Machi on an embedded store in a temporary folder with the demo city and
 * the demo portal, signs in a demo citizen (who has agreed to personalisation) and a demo staff
 * member (with a verification code, as staff must), and photographs each page in Chromium
 * (/usr/bin/chromium). Nothing is fetched from the network; Japanese text needs a CJK font on the
 * machine (Debian: fonts-noto-cjk).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/core/config.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { enrolTotp } from '../src/identity/accounts/testing.ts';
import { totp } from '../src/identity/accounts/totp.ts';
import { seedDemoAssistantData } from '../src/services/assistant/data/index.ts';
import { seedDemoPortal } from '../src/services/portal/demo.ts';
import { demoCatalogueDirectory } from '../src/services/forms/catalogue.ts';
import { sampleInputs } from '../src/services/forms/testing.ts';
import { PERSONALISATION_PURPOSE, PORTAL_CLIENT } from '../src/services/portal/index.ts';
import { launchChromium } from '../test/browser.ts';
import { freePort } from '../test/process.ts';

const OUT = path.resolve(import.meta.dirname, '..', 'docs', 'screenshots');
const PASSWORD = 'screenshots of the demo city';

interface Shot {
  name: string;
  path: string;
  who: 'visitor' | 'citizen' | 'staff';
  what: string;
  /** A TV-sized window for the ten-foot page. */
  tv?: boolean;
  /** Messages to send in the assistant's chat first (per language). */
  ask?: { ja: string[]; en: string[] };
}

const SHOTS: Shot[] = [
  { name: 'front-visitor', path: '/', who: 'visitor', what: 'Front page for a visitor: alerts, the latest items, district choice' },
  { name: 'front-citizen', path: '/', who: 'citizen', what: 'Front page of a signed-in parent of a one-year-old in Honmachi: recommendations with reasons' },
  { name: 'item', path: '/items/{event}', who: 'visitor', what: 'An event' },
  { name: 'my', path: '/my', who: 'citizen', what: "The citizen's page: what the portal may use, saved items, facilities of the district" },
  { name: 'staff', path: '/staff', who: 'staff', what: 'Staff area: the items of the departments' },
  { name: 'staff-new', path: '/staff/items/new', who: 'staff', what: 'Staff area: a new item with targeting' },
  { name: 'tourism', path: '/tourism', who: 'visitor', what: 'Tourism: places, events and model courses' },
  { name: 'tourism-map', path: '/tourism/map', who: 'visitor', what: 'Tourism: the map drawn on the server' },
  { name: 'tv', path: '/tv?district=yunosawa', who: 'visitor', what: 'TV mode for Yunosawa (alert first, news, weather, buses)', tv: true },
  { name: 'forms', path: '/forms', who: 'visitor', what: 'Life-event forms: choose what happened' },
  { name: 'forms-procedures', path: '/forms/d/{draft}/procedures', who: 'citizen', what: 'Life-event forms, birth: the procedures that apply, why, where, what to bring' },
  { name: 'forms-answers', path: '/forms/d/{draft}/answers', who: 'citizen', what: 'Life-event forms, birth: one input screen for every form' },
  { name: 'forms-result', path: '/forms/d/{draft}/result', who: 'citizen', what: 'Life-event forms, birth: the PDFs and the online applications' },
  { name: 'forms-applications', path: '/forms/applications', who: 'citizen', what: "Life-event forms: the citizen's applications and their status" },
  { name: 'staff-forms', path: '/staff/forms', who: 'staff', what: 'Staff: the inbox of applications' },
  { name: 'staff-forms-application', path: '/staff/forms/applications/{application}', who: 'staff', what: 'Staff: one application with its answers, actions and audit trail' },
  {
    name: 'assistant',
    path: '/assistant',
    who: 'visitor',
    what: 'The assistant on the web: garbage sorting, collection days by district, a holiday duty doctor',
    ask: { ja: ['ペットボトルは何ごみ？', '燃やせるごみの日は？', '本町', '日曜の小児科の当番医は？'], en: ['How do I throw away a PET bottle?', 'When is burnable waste collected in Honmachi?'] },
  },
];

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'machi-screenshots-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const log = (msg: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}\n`);
  log(`starting a demo Machi at ${base} (data in ${dataDir})`);
  const config = loadConfig({ DATA_DIR: dataDir, PORT: String(port), MACHI_PUBLIC_URL: base, LOG_LEVEL: 'warn' });
  const app = await buildApp(config);
  const browser = await launchChromium();
  try {
    await app.http.listen({ port, host: '127.0.0.1' });
    log(`demo city: ${await seedDemo(app.hub)} entities; portal: ${await seedDemoPortal(app.portal.service)} items; assistant data: ${await seedDemoAssistantData(app.hub)} entities`);

    // A citizen: a parent of a one-year-old in Honmachi who shares everything with the portal.
    const year = new Date().getUTCFullYear();
    const citizen = await app.accounts.createAccount({
      email: 'hanako@example.jp',
      password: PASSWORD,
      verified: true,
      profile: { birthdate: `${year - 33}-04-12`, district: 'honmachi', interests: ['childcare', 'health'], household: [{ id: '', relation: 'child', birthdate: `${year - 1}-${String(new Date().getUTCMonth() + 1).padStart(2, '0')}-01` }] },
    });
    await app.consent.grant({ subject: citizen, recipient: PORTAL_CLIENT, purpose: PERSONALISATION_PURPOSE, categories: ['district', 'household', 'interests', 'profile'], collectionMethod: 'web_form' });
    // Staff: a publisher of every department, signed in with a verification code.
    const staff = await app.accounts.createAccount({ email: 'koho@city.machi.example', password: PASSWORD, verified: true });
    await app.accounts.addStaffRole(staff, { department: '*', role: 'publisher' });
    await app.accounts.addStaffRole(staff, { department: '*', role: 'application_processor' });
    const key = await enrolTotp(app.store, staff);

    const event = (await app.portal.currentItems('')).find((i) => i.kind === 'event');
    // Forms: the citizen has answered "birth" and sent its online forms (the model catalogue).
    const forms = app.forms.service;
    log(`forms catalogue: ${await forms.seedCatalogue('', demoCatalogueDirectory)} documents`);
    const draft = await forms.startDraft('', await forms.citizenOwner(citizen), 'birth');
    const birth = await forms.lifeEvent('', 'birth');
    await forms.answerQuestions('', draft, Object.fromEntries(birth.questions.map((q) => [q.id, q.kind === 'boolean' ? 'yes' : q.options![0]!.value])));
    const birthForms = (await forms.applicable('', draft)).map((a) => a.form);
    await forms.saveAnswers('', draft, sampleInputs((await forms.catalogue('')).dictionary, birthForms));
    const sent = await forms.submit('', citizen, draft);
    const application = sent.applications[0]!;
    const contexts = {
      visitor: await browser.newContext(),
      citizen: await browser.newContext(),
      staff: await browser.newContext(),
    };
    await signIn(contexts.citizen, base, 'hanako@example.jp');
    await signIn(contexts.staff, base, 'koho@city.machi.example', key);

    await rm(OUT, { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
    const index: string[] = [];
    let n = 0;
    const total = SHOTS.length * 2;
    for (const shot of SHOTS) {
      for (const lang of ['ja', 'en'] as const) {
        n++;
        const page = await contexts[shot.who].newPage();
        await page.setViewportSize(shot.tv ? { width: 1280, height: 720 } : { width: 1024, height: 800 });
        const url = `${base}${shot.path.replace('{event}', encodeURIComponent(event?.id ?? '')).replace('{draft}', draft.id).replace('{application}', application.id)}${shot.path.includes('?') ? '&' : '?'}lang=${lang}`;
        const res = await page.goto(url);
        if (!res || res.status() >= 400) throw new Error(`${url} answered ${res?.status()}`);
        for (const text of shot.ask?.[lang] ?? []) {
          await page.fill('form[action="/assistant"] textarea[name="text"]', text);
          await Promise.all([page.waitForLoadState(), page.click('form[action="/assistant"] button[type="submit"]')]);
        }
        const file = `${shot.name}.${lang}.png`;
        await page.screenshot({ path: path.join(OUT, file), fullPage: !shot.tv });
        await page.close();
        index.push(`| ${shot.what} | ${lang} | [${file}](${file}) |`);
        log(`${n}/${total} ${file}`);
      }
    }
    await writeFile(
      path.join(OUT, 'README.md'),
      `# Screenshots\n\nThe main pages of Machi with the demo city, in Japanese and English. Regenerated by \`npm run screenshots\` (scripts/screenshots.ts); do not edit by hand.\n\n| Page | Language | File |\n|---|---|---|\n${index.join('\n')}\n`,
    );
    log(`wrote ${total} screenshots to ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await browser.close();
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Signs in through the sign-in page (and the second step with a verification code, for staff). */
async function signIn(context: import('playwright-core').BrowserContext, base: string, email: string, totpKey?: Buffer): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${base}/id/signin?return_to=%2F`);
  await page.fill('form[action="/id/signin"] input[name="email"]', email);
  await page.fill('form[action="/id/signin"] input[name="password"]', PASSWORD);
  await page.click('form[action="/id/signin"] button[type="submit"]');
  await page.waitForLoadState();
  if (totpKey) {
    await page.fill('input[name="code"]', totp(totpKey, Date.now() / 1000));
    await page.click('main form button[type="submit"]');
    await page.waitForLoadState();
  }
  await page.close();
}

await main();
