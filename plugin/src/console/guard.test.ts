import { describe, expect, it } from 'vitest';
import { checkRequest, type RequestFacts } from './guard.ts';

const address = { host: '127.0.0.1:8123', origin: 'http://127.0.0.1:8123', token: 'launch-token-1' };
const own = { host: address.host, origin: address.origin, token: address.token, secFetchSite: 'same-origin' };

describe('the console guard', () => {
  it.each<[string, RequestFacts, number | 'allowed']>([
    [
      'the page itself, opened from the printed URL',
      { method: 'GET', path: '/', host: address.host },
      'allowed',
    ],
    [
      'the page script, without the token',
      { method: 'GET', path: '/app.js', host: address.host, secFetchSite: 'same-origin' },
      'allowed',
    ],
    ['a read with the token', { method: 'GET', path: '/api/overview', ...own }, 'allowed'],
    ['an approval from the page', { method: 'POST', path: '/api/proposals/p/decision', ...own }, 'allowed'],
    ['a read without the token', { method: 'GET', path: '/api/overview', host: address.host }, 401],
    [
      'a read with another launch’s token',
      { method: 'GET', path: '/api/overview', ...own, token: 'launch-token-2' },
      401,
    ],
    [
      'a token one character short',
      { method: 'GET', path: '/api/overview', ...own, token: 'launch-token-' },
      401,
    ],
    [
      'a rebinding Host, token and all',
      { method: 'GET', path: '/api/overview', ...own, host: 'evil.example:8123' },
      421,
    ],
    ['localhost instead of the printed address', { method: 'GET', path: '/', host: 'localhost:8123' }, 421],
    ['no Host at all', { method: 'GET', path: '/', host: undefined }, 421],
    [
      'a cross-origin POST',
      { method: 'POST', path: '/api/roasters/r/stop', ...own, origin: 'https://evil.example' },
      403,
    ],
    [
      'a POST without Origin',
      { method: 'POST', path: '/api/roasters/r/stop', ...own, origin: undefined },
      403,
    ],
    [
      'a cross-site fetch the browser marks',
      { method: 'GET', path: '/api/overview', ...own, secFetchSite: 'cross-site' },
      403,
    ],
    ['a CORS preflight', { method: 'OPTIONS', path: '/api/roasters/r/stop', ...own }, 405],
    ['a PUT', { method: 'PUT', path: '/api/overview', ...own }, 405],
  ])('%s', (_, req, expected) => {
    const verdict = checkRequest(address, req);
    if (expected === 'allowed') expect(verdict).toEqual({ allowed: true });
    else expect(verdict).toMatchObject({ allowed: false, status: expected });
  });
});
