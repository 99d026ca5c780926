/**
 * One registry of deliberate errors. Every error a client may see is an `AppError` with a stable
 * code and an HTTP status; anything else that escapes a handler is a bug and is answered as a
 * generic 500 without detail (see `http.ts`).
 *
 * The hub's codes are the NGSI-LD error types (ETSI GS CIM 009 V1.8.1, clause 5.5.2); other APIs
 * reuse the same problem+json shape (RFC 9457).
 */

export const NGSI_LD_ERROR_BASE = 'https://uri.etsi.org/ngsi-ld/errors/';

const REGISTRY = {
  InvalidRequest: { status: 400, ngsi: true },
  BadRequestData: { status: 400, ngsi: true },
  AlreadyExists: { status: 409, ngsi: true },
  OperationNotSupported: { status: 422, ngsi: true },
  ResourceNotFound: { status: 404, ngsi: true },
  InternalError: { status: 500, ngsi: true },
  TooComplexQuery: { status: 403, ngsi: true },
  TooManyResults: { status: 403, ngsi: true },
  LdContextNotAvailable: { status: 503, ngsi: true },
  NoMultiTenantSupport: { status: 501, ngsi: true },
  NonexistentTenant: { status: 404, ngsi: true },
  Conflict: { status: 409, ngsi: false },
  PayloadTooLarge: { status: 413, ngsi: false },
  UnsupportedMediaType: { status: 415, ngsi: false },
  NotAcceptable: { status: 406, ngsi: false },
  MethodNotAllowed: { status: 405, ngsi: false },
  Unauthorized: { status: 401, ngsi: false },
  Forbidden: { status: 403, ngsi: false },
} as const;

export type ErrorCode = keyof typeof REGISTRY;

/** A deliberate error: its `detail` is written for the caller and is always shown. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  /** Extra members for the problem document (e.g. the offending parameter). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, detail: string, extra?: Record<string, unknown>) {
    super(detail);
    this.name = 'AppError';
    this.code = code;
    this.status = REGISTRY[code].status;
    this.title = titleOf(code);
    this.extra = extra;
  }

  /** The problem+json body (RFC 9457 clause 3), with the NGSI-LD type URI where there is one. */
  toProblem(): Record<string, unknown> {
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      detail: this.message,
      ...this.extra,
    };
  }
}

export function problemType(code: ErrorCode): string {
  return REGISTRY[code].ngsi ? NGSI_LD_ERROR_BASE + code : `urn:machi:error:${code}`;
}

function titleOf(code: ErrorCode): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2');
}

export const badRequest = (detail: string, extra?: Record<string, unknown>): AppError =>
  new AppError('BadRequestData', detail, extra);
export const invalidRequest = (detail: string, extra?: Record<string, unknown>): AppError =>
  new AppError('InvalidRequest', detail, extra);
export const notFound = (detail: string): AppError => new AppError('ResourceNotFound', detail);

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
