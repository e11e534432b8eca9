/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { ApiError, httpErrorFor, ValidationError } from '../lib/errors';
import { Conflict, InvalidInput, NotConfigured, NotFound, QuotaExceeded, Refused, UpstreamFailure } from '../shared/domain-errors';

/** Every module below the routes: the code queue and cron handlers and the dashboard run. */
const sources = import.meta.glob<string>(['../services/**/*.ts', '../jobs/**/*.ts', '../suppliers/**/*.ts', '../stores/**/*.ts', '../shared/**/*.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

const specifiers = (text: string) => [...text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

describe('domain code and HTTP', () => {
  it('reads the modules it checks', () => {
    const files = Object.keys(sources);
    expect(files).toContain('../services/import-pipeline.ts');
    expect(files).toContain('../shared/detect.ts');
    expect(files).toContain('../shared/domain-errors.ts');
    expect(specifiers(sources['../services/import-pipeline.ts'])).toContain('../shared/domain-errors');
  });

  it('keeps hono and the HTTP errors (ApiError, HTTPException) out of services, jobs, suppliers, stores and shared', () => {
    const http = (s: string) => s === 'hono' || s.startsWith('hono/') || /(^|\/)lib\/errors(\.ts)?$/.test(s);
    const found = Object.entries(sources).flatMap(([file, text]) => [
      ...specifiers(text)
        .filter(http)
        .map((s) => `${file} imports ${s}`),
      ...(/\b(ApiError|HTTPException)\b/.test(text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')) ? [`${file} names an HTTP error class`] : []),
    ]);
    expect(found).toEqual([]);
  });
});

describe('httpErrorFor', () => {
  const body = () => 'body';

  it('answers each kind with its contract status and detail', () => {
    const answer = (err: Parameters<typeof httpErrorFor>[0]) => {
      const a = httpErrorFor(err, body);
      return a instanceof ApiError ? { status: a.status, detail: a.detail, headers: a.headers } : a;
    };
    expect(answer(new NotFound('Gone'))).toEqual({ status: 404, detail: 'Gone', headers: {} });
    expect(answer(new Conflict('Taken'))).toEqual({ status: 409, detail: 'Taken', headers: {} });
    expect(answer(new InvalidInput('Bad URL'))).toEqual({ status: 400, detail: 'Bad URL', headers: {} });
    expect(answer(new Refused('Connect first'))).toEqual({ status: 400, detail: 'Connect first', headers: {} });
    expect(answer(new QuotaExceeded('Spent', 120))).toEqual({ status: 429, detail: 'Spent', headers: { 'Retry-After': '120' } });
    expect(answer(new NotConfigured('Off'))).toEqual({ status: 503, detail: 'Off', headers: {} });
    expect(answer(new UpstreamFailure('Down', true))).toEqual({ status: 502, detail: 'Down', headers: {} });
  });

  it('puts a named field under the request part that held it', () => {
    const err = new InvalidInput('Too long', { field: ['to'], type: 'value_error', input: 'x', ctx: { max_days: 366 } });
    const answer = httpErrorFor(err, (field) => (field === 'to' ? 'query' : 'body'));
    expect(answer).toBeInstanceOf(ValidationError);
    expect((answer as ValidationError).issues).toEqual([{ type: 'value_error', loc: ['query', 'to'], msg: 'Too long', input: 'x', ctx: { max_days: 366 } }]);
  });

  it('marks only upstream trouble as worth retrying', () => {
    expect(new UpstreamFailure('Slow', true).retryable).toBe(true);
    expect(new UpstreamFailure('Unreadable', false).retryable).toBe(false);
    expect(new Refused('No account').retryable).toBe(false);
    expect(new QuotaExceeded('Spent', 1).retryable).toBe(false);
  });
});
