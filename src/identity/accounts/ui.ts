/** Small building blocks of the account pages: form fields tied to their labels, hints and errors. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../core/errors.ts';
import { checkCsrf, csrfField, formBody, html, layout, sendPage, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { t } from './messages.ts';

export interface FieldOptions {
  name: string;
  label: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  hint?: string;
  error?: string;
  required?: boolean;
  /** Extra attributes such as min/max, already safe. */
  attrs?: SafeHtml;
}

/** An input with its label; hint and error are announced with the input (aria-describedby). */
export function field(o: FieldOptions): SafeHtml {
  const id = `f-${o.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<label for="${id}">${o.label}${o.hint ? html`<span class="hint" id="${id}-hint">${o.hint}</span>` : ''}</label>
${o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : ''}<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}"${o.value !== undefined ? html` value="${o.value}"` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.required ? html` required` : ''}${described ? html` aria-describedby="${described}"` : ''}${o.error ? html` aria-invalid="true"` : ''}${o.attrs ?? ''}>`;
}

export interface SelectOption {
  value: string;
  label: string;
}

/** A select with its label; the first option is "not set". */
export function select(o: { name: string; label: string; options: SelectOption[]; value?: string; error?: string; autocomplete?: string; empty: string }): SafeHtml {
  const id = `f-${o.name}`;
  return html`<label for="${id}">${o.label}</label>
${o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : ''}<select id="${id}" name="${o.name}"${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
<option value="">${o.empty}</option>
${o.options.map((x) => html`<option value="${x.value}"${x.value === o.value ? html` selected` : ''}>${x.label}</option>`)}
</select>`;
}

/** A fieldset of checkboxes. */
export function checkboxes(o: { name: string; legend: string; options: SelectOption[]; checked: readonly string[]; error?: string }): SafeHtml {
  return html`<fieldset${o.error ? html` aria-describedby="f-${o.name}-error"` : ''}><legend>${o.legend}</legend>
${o.error ? html`<p class="field-error" id="f-${o.name}-error">${o.error}</p>` : ''}${o.options.map(
    (x) => html`<label class="check"><input type="checkbox" name="${o.name}" value="${x.value}"${o.checked.includes(x.value) ? html` checked` : ''}> ${x.label}</label>`,
  )}
</fieldset>`;
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  errors?: string[];
  notice?: string;
  status?: number;
  nav?: SafeHtml;
}

export function sendAccountPage(reply: FastifyReply, lang: PageLanguage, o: PageOptions): FastifyReply {
  // The language switch of a page reached by GET keeps its query (return_to, token).
  const url = reply.request.method === 'GET' ? reply.request.url : reply.request.url.split('?')[0];
  return sendPage(reply, layout({ lang, title: o.title, body: o.body, ...(url ? { url } : {}), ...(o.errors ? { errors: o.errors } : {}), ...(o.notice ? { notice: o.notice } : {}), ...(o.nav ? { nav: o.nav } : {}) }), o.status ?? 200);
}

/**
 * Reads a posted form and checks its CSRF token. On failure the answer (403 or 415 page) is sent
 * and null returned; the handler then just returns the reply.
 */
export function readForm(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage): URLSearchParams | null {
  try {
    const form = formBody(req);
    checkCsrf(req, form);
    return form;
  } catch (err) {
    if (!isAppError(err)) throw err;
    const csrf = err.status === 403;
    sendAccountPage(reply, lang, {
      title: t(lang, 'error.title'),
      errors: [t(lang, csrf ? 'err.csrf' : 'err.form')],
      body: html`<p><a href="${req.url}">${lang === 'ja' ? 'フォームをもう一度開く' : 'Open the form again'}</a></p>`,
      status: err.status,
    });
    return null;
  }
}

/** A form posting to `action` with the CSRF field and a submit button. */
export function form(req: FastifyRequest, reply: FastifyReply, action: string, content: SafeHtml, submit: string, cls = ''): SafeHtml {
  return html`<form method="post" action="${action}" novalidate>${csrfField(req, reply)}${content}<button type="submit"${cls ? html` class="${cls}"` : ''}>${submit}</button></form>`;
}

/** 403 page for signed-in people without the needed role. */
export function forbidden(reply: FastifyReply, lang: PageLanguage, nav: SafeHtml): FastifyReply {
  return sendAccountPage(reply, lang, { title: t(lang, 'error.title'), errors: [t(lang, 'error.forbidden')], body: html``, nav, status: 403 });
}
