/**
 * An error a route answers with: an HTTP status, a literal code clients branch on, and a
 * message that says what to do. app.onError turns it into `{ error: { code, message } }`.
 */
export type HttpErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'ADMIN_DISABLED'
  | 'RATE_LIMITED'
  | 'NO_LOOP'
  | 'CHAT_UNAVAILABLE'
  | 'STORE_UNAVAILABLE'
  | 'INTERNAL';

export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429 | 500 | 503,
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  readonly error: { readonly code: HttpErrorCode; readonly message: string };
}

export function errorBody(code: HttpErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
