/**
 * The birth of a child in a real browser (Chromium), from the first question to the PDFs: a
 * signed-in parent answers the questions, reads the procedures, fills in from the profile after
 * agreeing on the consent page, corrects a refused field, downloads every form as one PDF (read
 * back with pdfjs: the answers are in it), and sends the online forms, whose status then shows on
 * the applications page. axe-core finds no WCAG A/AA violations on the pages of the flow.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations, signIn, useBrowserApp } from '../../../test/browser.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { demoCatalogueDirectory } from './catalogue.ts';
import type { FieldSchema } from './model.ts';
import { sampleInput } from './testing.ts';

const web = useBrowserApp({
  setup: async ({ app }) => {
    await app.forms.service.seedCatalogue('', demoCatalogueDirectory);
  },
});

const PROFILE = { familyName: '会津', givenName: '桜', familyNameKana: 'アイヅ', givenNameKana: 'サクラ', postalCode: '965-0872', address: '福島県真知市本町3番46号', phone: '0242-39-1111', birthdate: '1992-05-10' };

/** Fills every empty field of the input screen with a valid value, as a person would. */
async function fillEmptyFields(page: Page, fields: Record<string, FieldSchema>): Promise<void> {
  for (const [name, schema] of Object.entries(fields)) {
    const value = sampleInput(name, schema);
    const radio = page.locator(`input[type="radio"][name="${name}"]`);
    if ((await radio.count()) > 0) {
      if ((await page.locator(`input[type="radio"][name="${name}"]:checked`).count()) === 0) await page.check(`input[type="radio"][name="${name}"][value="${value}"]`);
      continue;
    }
    const select = page.locator(`select[name="${name}"]`);
    if ((await select.count()) > 0) {
      if ((await select.inputValue()) === '') await select.selectOption(value);
      continue;
    }
    const input = page.locator(`[name="${name}"]`);
    if ((await input.count()) > 0 && (await input.inputValue()) === '') await input.fill(value);
  }
}

test('a parent goes through "birth" from the first question to the PDFs and the online applications', { timeout: 180_000 }, async () => {
  const { app, base, browser } = web;
  const email = `birth.${Date.now()}@example.jp`;
  await app.accounts.createAccount({ email, password: PASSWORD, verified: true, profile: PROFILE as never });
  const context = await browser.newContext({ acceptDownloads: true, locale: 'ja-JP', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, { email, password: PASSWORD }, { returnTo: '/forms', lang: 'ja' });

  // 1. The life event and its questions.
  const birth = await app.forms.service.lifeEvent('', 'birth');
  await Promise.all([page.waitForURL(/\/questions$/), page.click('form:has(input[value="birth"]) button[type="submit"]')]);
  // Next without answering: the problems are shown and the page stays.
  await page.click('main form button[type="submit"]');
  assert.equal(await page.locator('.field-error').count(), birth.questions.length);
  for (const q of birth.questions) {
    if (q.kind === 'boolean') await page.check(`input[name="${q.id}"][value="yes"]`);
    else await page.check(`input[name="${q.id}"][value="${q.options![0]!.value}"]`);
  }
  await Promise.all([page.waitForURL(/\/procedures$/), page.click('main form button[type="submit"]')]);

  // 2. The procedures, each with why, where and what to bring.
  const procedures = await page.locator('ol.procedures > li').count();
  assert.ok(procedures >= 3, `${procedures} procedures`);
  assert.equal(await page.locator('ol.procedures > li dt', { hasText: '理由' }).count(), procedures);
  const draftPath = new URL(page.url()).pathname.replace(/\/procedures$/, '');
  await Promise.all([page.waitForURL(/\/answers$/), page.click(`a[href="${draftPath}/answers"]`)]);

  // 3. Fill in from the profile: the consent page first, then the fields are filled.
  await Promise.all([page.waitForURL(/\/consent\/grant\?/), page.click(`form[action="${draftPath}/prefill"] button`)]);
  await Promise.all([page.waitForURL(/\/prefill\/done/), page.click('form[action="/consent/grant"] button[value="approve"]')]);
  assert.match(await page.locator('p.notice').innerText(), /プロフィールから入力しました/);
  const catalogue = await app.forms.service.catalogue('');
  const prefilled = Object.entries(catalogue.dictionary.fields).filter(([, s]) => s['x-prefill'] === 'postalCode').map(([n]) => n);
  const onScreen = [];
  for (const n of prefilled) if ((await page.locator(`input[name="${n}"]`).count()) > 0) onScreen.push(n);
  assert.ok(onScreen.length > 0, 'a postal code field to prefill');
  assert.equal(await page.locator(`input[name="${onScreen[0]}"]`).inputValue(), '965-0872');

  // A wrong value is refused beside its field and the rest of what was typed stays.
  const names = await page.locator('main form[action$="/answers"] [name]').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('name')!).filter((n) => n !== '_csrf'))]);
  await fillEmptyFields(page, Object.fromEntries(names.filter((n) => catalogue.dictionary.fields[n]).map((n) => [n, catalogue.dictionary.fields[n]!])));
  await page.fill(`input[name="${onScreen[0]}"]`, '96-50872');
  await page.click('main form[action$="/answers"] button[type="submit"]');
  await page.waitForSelector(`#f-${onScreen[0]}-error`);
  assert.equal(await page.locator(`input[name="${onScreen[0]}"]`).getAttribute('aria-invalid'), 'true');
  const kanaField = names.find((n) => catalogue.dictionary.fields[n]?.format === 'jp-kana-name')!;
  assert.ok((await page.locator(`input[name="${kanaField}"]`).inputValue()) !== '', 'the other answers were kept');
  await page.fill(`input[name="${onScreen[0]}"]`, '９６５－０８７２');
  await Promise.all([page.waitForURL(/\/result$/), page.click('main form[action$="/answers"] button[type="submit"]')]);

  // 4. Every form together as one PDF, read back.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a[href="${draftPath}/pdf"]`)]);
  const bytes = await readFile((await download.path())!);
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    text += content.items.map((item) => ('str' in item ? item.str : '')).join('');
  }
  await doc.destroy();
  assert.ok(doc.numPages >= procedures, `${doc.numPages} pages for ${procedures} forms`);
  for (const expected of ['会津', '965-0872', '福島県真知市本町3番46号']) assert.ok(text.includes(expected), `the PDF has ${expected}`);

  // 5. The online forms are sent; their status shows on the applications page.
  const online = await page.locator(`form[action="${draftPath}/submit"] input[name="form"]`).count();
  assert.ok(online >= 1, 'birth has online forms');
  await Promise.all([page.waitForURL(/\/result\?sent=\d+$/), page.click(`form[action="${draftPath}/submit"] button[type="submit"]`)]);
  assert.match(await page.locator('p.notice').innerText(), new RegExp(`${online}件の申請を受け付けました`));
  await page.goto(`${base}/forms/applications`);
  assert.equal(await page.locator('main table tbody tr').count(), online);
  assert.equal(await page.locator('main table .status-received').count(), online);

  // axe-core on the pages of the flow, signed in.
  const found: string[] = [];
  for (const path of ['/forms', `${draftPath}/questions`, `${draftPath}/procedures`, `${draftPath}/answers`, `${draftPath}/result`, '/forms/applications']) {
    for (const lang of ['ja', 'en']) found.push(...(await axeViolations(context, `${base}${path}?lang=${lang}`)));
  }
  const firstApplication = await page.locator('main table tbody tr a').first().getAttribute('href');
  found.push(...(await axeViolations(context, `${base}${firstApplication}`)));
  assert.deepEqual(found, []);
  await context.close();
});
