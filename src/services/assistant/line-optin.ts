/**
 * "LINEで受け取る / Get them on LINE": the box a service's page shows a signed-in citizen about
 * that service's LINE messages (the handbook's vaccination reminders, the school's notices).
 *
 * A message reaches LINE only when two things hold: a live consent to the service's purpose (the
 * notifier asks the consent gate for each message) and a link between the regional ID and LINE
 * (made by sending 「連携」 to the city's account). Without this box a parent could reach the
 * consent page only by knowing its address, so each page says which of the two is missing and
 * links to the step: the consent page (back to the page afterwards), or how to link. Withdrawing
 * stays where every consent is withdrawn, "My data".
 *
 * The state is read from the citizen's own consent list and the assistant's link table; neither
 * is personal data behind the gate, so showing the box writes no access-log row.
 */
import type { Consent } from '../../consent/index.ts';
import { html, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import type { LineNotifier } from './push.ts';

/**
 * - off: this City OS has no LINE channel (no box).
 * - agreed: consent live and LINE linked: messages arrive.
 * - agreed_unlinked: consent live, but no link yet, so nothing can arrive.
 * - not_agreed_linked / not_agreed_unlinked: no live consent, with or without a link.
 */
export type LineOptInState = 'off' | 'agreed' | 'agreed_unlinked' | 'not_agreed_linked' | 'not_agreed_unlinked';

/** The service's side of the consent: who sends, under which purpose, reading which categories. */
export interface LineOptInPurpose {
  recipient: string;
  purpose: string;
  categories: readonly string[];
}

/** What the services need to answer `lineState`: the consent list and the notifier's link check. */
export interface LineOptInDeps {
  consent: Pick<Consent, 'list'>;
  notifier: Pick<LineNotifier, 'configured' | 'linked'>;
}

/**
 * The citizen's state for one purpose. "Agreed" means what the gate would allow: an active
 * consent from this recipient for this purpose that covers every category the messages read.
 */
export async function lineOptInState(d: LineOptInDeps | undefined, p: LineOptInPurpose, tenant: string, accountId: string): Promise<LineOptInState> {
  if (!d || !d.notifier.configured) return 'off';
  const [consents, linked] = await Promise.all([d.consent.list(accountId), d.notifier.linked(tenant, accountId)]);
  const agreed = consents.some((c) => c.recipient === p.recipient && c.purpose === p.purpose && c.status === 'active' && p.categories.every((k) => c.categories.includes(k)));
  if (agreed) return linked ? 'agreed' : 'agreed_unlinked';
  return linked ? 'not_agreed_linked' : 'not_agreed_unlinked';
}

const T = {
  ja: {
    heading: 'LINEで受け取る',
    agreed: 'LINEで受け取っています。',
    stop: (link: SafeHtml) => html`やめるときは${link}で同意を撤回してください。`,
    myData: '「わたしのデータ」',
    agreedUnlinked: '受け取ることに同意していますが、地域IDとLINEがまだ連携されていないため、届きません。',
    howToLink: '市のLINE公式アカウントを友だち追加し、「連携」と送ってください。',
    alsoLink: '受け取るには地域IDとLINEの連携も必要です。',
    agree: 'LINEで受け取ることに同意する',
  },
  en: {
    heading: 'Get them on LINE',
    agreed: 'You get them on LINE.',
    stop: (link: SafeHtml) => html`To stop, withdraw your consent under ${link}.`,
    myData: 'My data',
    agreedUnlinked: 'You have agreed, but your regional ID is not linked to LINE yet, so nothing can reach you.',
    howToLink: "Add the city's official LINE account as a friend and send it 「連携」 (link).",
    alsoLink: 'Your regional ID must also be linked to LINE.',
    agree: 'Agree to get them on LINE',
  },
} as const;

/**
 * The box for `state` (empty for 'off'). `what` is one sentence of what would be sent; `returnTo`
 * is the page itself, where the consent page sends the citizen back.
 */
export function lineOptInBox(lang: PageLanguage, state: LineOptInState, o: LineOptInPurpose & { what: string; returnTo: string }): SafeHtml {
  if (state === 'off') return html``;
  const t = T[lang];
  const grant = new URLSearchParams({ client_id: o.recipient, purpose: o.purpose, categories: o.categories.join(','), return_to: o.returnTo });
  const stop = t.stop(html`<a href="/my/data">${t.myData}</a>`);
  let body: SafeHtml;
  switch (state) {
    case 'agreed':
      body = html`<p>${t.agreed} ${stop}</p>`;
      break;
    case 'agreed_unlinked':
      body = html`<p>${t.agreedUnlinked} ${t.howToLink}</p><p>${stop}</p>`;
      break;
    case 'not_agreed_linked':
    case 'not_agreed_unlinked':
      body = html`<p>${o.what}</p>
${state === 'not_agreed_unlinked' ? html`<p>${t.alsoLink} ${t.howToLink}</p>` : ''}
<p><a href="/consent/grant?${grant.toString()}">${t.agree}</a></p>`;
      break;
  }
  return html`<section class="box line-optin" aria-labelledby="line-optin-h" data-line-state="${state}"><h2 id="line-optin-h">${t.heading}</h2>
${body}</section>`;
}
