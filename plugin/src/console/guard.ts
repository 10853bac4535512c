// Who may use the console. It holds the user's credentials, so no other web page the user visits may act
// through it: every request must name this console's address in Host exactly (a DNS-rebinding page names
// its own), a cross-origin request is refused by its Origin (and by Sec-Fetch-Site where the browser sends
// it), and everything but the page's own fixed files needs the launch's token in a header — a header, not a
// cookie, so the browser never adds it on its own. No CORS: a preflight is refused and no
// Access-Control-* header is ever sent. Pure: the server asks, the table test checks.
import { timingSafeEqual } from 'node:crypto';

/** The header the page sends the launch token in. */
export const tokenHeader = 'x-roast-console-token';

/** The page's own files: fixed text with nothing of the user's in it, the only answers without the token. */
export const pageFiles: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/chart.js': { file: 'chart.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export interface ConsoleAddress {
  /** What Host must say: `127.0.0.1:8123`. */
  readonly host: string;
  /** What Origin must say when sent: `http://127.0.0.1:8123`. */
  readonly origin: string;
  readonly token: string;
}

export interface RequestFacts {
  readonly method: string;
  readonly path: string;
  readonly host?: string | undefined;
  readonly origin?: string | undefined;
  readonly secFetchSite?: string | undefined;
  readonly token?: string | undefined;
}

export type Verdict =
  | { readonly allowed: true }
  | { readonly allowed: false; status: number; message: string };

const refuse = (status: number, message: string): Verdict => ({ allowed: false, status, message });

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkRequest(address: ConsoleAddress, req: RequestFacts): Verdict {
  if (req.host !== address.host)
    return refuse(
      421,
      `Host ${req.host ?? '(none)'} is not this console's address: open the URL kubectl roast console printed`,
    );
  if (req.method === 'OPTIONS')
    return refuse(405, 'this console answers no cross-origin preflight: it serves only its own page');
  if (req.method !== 'GET' && req.method !== 'POST')
    return refuse(405, `${req.method} is not allowed: the console takes GET and POST`);
  if (req.origin !== undefined && req.origin !== address.origin)
    return refuse(403, `a request from ${req.origin} is refused: only the console's own page may call it`);
  if (req.method === 'POST' && req.origin === undefined)
    return refuse(
      403,
      "a change needs the Origin header a browser sends: only the console's own page may make one",
    );
  if (req.secFetchSite !== undefined && req.secFetchSite !== 'same-origin' && req.secFetchSite !== 'none')
    return refuse(403, `a ${req.secFetchSite} request is refused: only the console's own page may call it`);
  if (req.method === 'GET' && pageFiles[req.path]) return { allowed: true };
  if (!sameToken(req.token, address.token))
    return refuse(
      401,
      'the launch token is missing or wrong: open the URL kubectl roast console printed (it changes with every launch)',
    );
  return { allowed: true };
}
