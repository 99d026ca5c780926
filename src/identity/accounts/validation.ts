/** Input rules shared by the pages, the CLI and `createAccount`. */

/** NIST SP 800-63B section 5.1.1.2: at least 8 characters; we ask 10 and allow long passphrases. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

/** What is wrong with a password (English, for the CLI and API), or null. */
export function passwordProblem(password: string, email: string): string | null {
  const key = passwordErrorKey(password, email);
  if (key === 'err.password_short') return `it must have at least ${PASSWORD_MIN} characters`;
  if (key === 'err.password_long') return `it must have at most ${PASSWORD_MAX} characters`;
  if (key === 'err.password_email') return 'it must not be the email address';
  return null;
}

/** The message key of what is wrong with a password, or null. Length counts code points. */
export function passwordErrorKey(password: string, email: string): 'err.password_short' | 'err.password_long' | 'err.password_email' | null {
  const n = [...password].length;
  if (n < PASSWORD_MIN) return 'err.password_short';
  if (n > PASSWORD_MAX) return 'err.password_long';
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'err.password_email';
  return null;
}
