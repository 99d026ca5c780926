/**
 * The provider's own pages (consent, sign-out confirmation, errors), Japanese and English, without
 * JavaScript, built with the shared page kit.
 */
import { html, layout, raw, type PageLanguage, type SafeHtml } from '../../core/pages.ts';

type Text = Record<PageLanguage, string>;

/** What each scope discloses or allows, in words a citizen understands. */
export const SCOPE_TEXT: Record<string, Text> = {
  openid: { ja: 'このサービス専用のあなたの識別子（サービスごとに異なり、サービス間であなたを照合できません）', en: 'An identifier for you that only this service sees (different for every service, so services cannot match you up)' },
  email: { ja: 'メールアドレスと、それが確認済みかどうか', en: 'Your email address and whether it has been verified' },
  profile: { ja: 'プロフィール（生年月日、性別、使用言語、国籍のうち登録済みのもの）', en: 'Your profile (birth date, gender, preferred language and nationality, as far as you entered them)' },
  name: { ja: '氏名（漢字とフリガナ）', en: 'Your name (as written and its reading in katakana)' },
  address: { ja: '郵便番号と住所', en: 'Your postal code and address' },
  phone: { ja: '電話番号', en: 'Your phone number' },
  household: { ja: '世帯の情報（配偶者、お子さまとその生年月日）', en: 'Your household (spouse, children and their birth dates)' },
  interests: { ja: '登録した関心のある分野', en: 'The interests you selected' },
  district: { ja: 'お住まいの地区（ごみの収集日や地域のお知らせに使われます）', en: 'The district you live in (used for garbage days and local news)' },
  offline_access: { ja: 'あなたがサインインしていない間も、許可した範囲でアクセスを続けること', en: 'Keep access within what you allow here while you are not signed in' },
  'ngsi-ld:read': { ja: 'データハブの都市データをあなたの代わりに読むこと', en: 'Read city data in the data hub on your behalf' },
  'ngsi-ld:write': { ja: 'データハブの都市データをあなたの代わりに書き込むこと', en: 'Write city data in the data hub on your behalf' },
  'fhir:read': { ja: '母子健康手帳などの健康記録をあなたの代わりに読むこと', en: 'Read health records (such as the maternal and child health handbook) on your behalf' },
  'fhir:write': { ja: '母子健康手帳などの健康記録をあなたの代わりに送ること', en: 'Send health records (such as the maternal and child health handbook) on your behalf' },
};

const T = {
  consentTitle: { ja: '情報提供の確認', en: 'Share your information?' },
  consentLead: { ja: '「{client}」が次の情報と権限を求めています。', en: '"{client}" asks for the following information and permissions.' },
  consentNote: { ja: '許可はいつでもアカウントのページから取り消せます。許可しない場合、サービスの一部が使えないことがあります。', en: 'You can withdraw this at any time from your account page. If you deny, parts of the service may not work.' },
  approve: { ja: '許可する', en: 'Allow' },
  deny: { ja: '許可しない', en: 'Deny' },
  logoutTitle: { ja: 'サインアウト', en: 'Sign out' },
  logoutLead: { ja: 'Machi ID からサインアウトしますか？ 連携しているサービスからもサインアウトされます。', en: 'Sign out of Machi ID? You will also be signed out of the services connected to it.' },
  logoutYes: { ja: 'サインアウトする', en: 'Sign out' },
  logoutNo: { ja: 'このサービスからだけサインアウトする', en: 'Sign out of this service only' },
  loggedOutTitle: { ja: 'サインアウトしました', en: 'You are signed out' },
  loggedOutLead: { ja: 'Machi ID からサインアウトしました。', en: 'You have signed out of Machi ID.' },
  continueTitle: { ja: 'サインインしました', en: 'You are signed in' },
  continueLink: { ja: 'サービスに戻る', en: 'Continue to the service' },
  errorTitle: { ja: 'リクエストを処理できませんでした', en: 'The request could not be completed' },
  errorLead: { ja: 'サービスに戻って、もう一度お試しください。', en: 'Go back to the service and try again.' },
} satisfies Record<string, Text>;

export interface ConsentView {
  lang: PageLanguage;
  clientName: string;
  scopes: readonly string[];
  action: string;
  csrf: SafeHtml;
}

/** The consent page (OIDC Core 3.1.2.4): who asks, what each scope discloses, allow or deny. */
export function consentPage(v: ConsentView): SafeHtml {
  const { lang } = v;
  return layout({
    lang,
    title: T.consentTitle[lang],
    body: html`<p>${T.consentLead[lang].replace('{client}', v.clientName)}</p>
<ul class="scopes">${v.scopes.map((s) => html`<li>${SCOPE_TEXT[s]?.[lang] ?? s}</li>`)}</ul>
<p>${T.consentNote[lang]}</p>
<form method="post" action="${v.action}">
${v.csrf}
<button type="submit" name="decision" value="approve">${T.approve[lang]}</button>
<button type="submit" name="decision" value="deny" class="secondary">${T.deny[lang]}</button>
</form>`,
  });
}

/** The sign-out confirmation (OIDC RP-Initiated Logout 1.0, 2); `form` is the provider's hidden form. */
export function logoutPage(lang: PageLanguage, formMarkup: SafeHtml): SafeHtml {
  return layout({
    lang,
    title: T.logoutTitle[lang],
    body: html`<p>${T.logoutLead[lang]}</p>
${formMarkup}
<button type="submit" form="op.logoutForm" name="logout" value="yes">${T.logoutYes[lang]}</button>
<button type="submit" form="op.logoutForm" class="secondary">${T.logoutNo[lang]}</button>`,
  });
}

export function loggedOutPage(lang: PageLanguage): SafeHtml {
  return layout({ lang, title: T.loggedOutTitle[lang], body: html`<p>${T.loggedOutLead[lang]}</p><p><a href="/">Machi</a></p>` });
}

/** An error the provider cannot send back to the client (e.g. an unknown redirect_uri, RFC 6749 4.1.2.1). */
export function errorPage(lang: PageLanguage, error: string, description: string | undefined): SafeHtml {
  return layout({
    lang,
    title: T.errorTitle[lang],
    errors: [description ? `${error}: ${description}` : error],
    body: html`<p>${T.errorLead[lang]}</p>`,
  });
}

/**
 * After sign-in: moves on to `returnTo` (the provider's resume URL, same origin) with a meta
 * refresh, which needs no script, and a link for browsers that do not follow it.
 */
export function continuePage(lang: PageLanguage, returnTo: string): SafeHtml {
  const page = layout({ lang, title: T.continueTitle[lang], body: html`<p><a href="${returnTo}">${T.continueLink[lang]}</a></p>` });
  const refresh = html`<meta http-equiv="refresh" content="0;url=${returnTo}">`;
  return raw(page.value.replace('<meta charset="utf-8">', `<meta charset="utf-8">\n${refresh.value}`));
}
