// How the read API refuses: an HTTP code with a Status-like JSON body (kind Status, code, reason, message),
// so clients that already read Kubernetes errors read these too.

const reasons: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

export class Failure extends Error {
  readonly code: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'Failure';
    this.code = code;
    this.headers = headers;
  }

  get reason(): string {
    return reasons[this.code] ?? 'Unknown';
  }

  body(): {
    kind: 'Status';
    apiVersion: 'v1';
    status: 'Failure';
    code: number;
    reason: string;
    message: string;
  } {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: this.code,
      reason: this.reason,
      message: this.message,
    };
  }
}
