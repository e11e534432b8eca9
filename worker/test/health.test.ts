import { describe, expect, it } from 'vitest';
import { answer, api } from './helpers';

describe('GET /health', () => {
  it('answers ok with a +00:00 timestamp and the security headers', async () => {
    const { status, json, res } = await answer(api().health.$get());
    expect(status).toBe(200);
    expect(json.service).toBe('sourcepilot');
    expect(json.status).toBe('ok');
    expect(json.timestamp).toMatch(/\+00:00$/);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    expect(res.headers.get('X-XSS-Protection')).toBe('1; mode=block');
    expect(res.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers.get('Content-Security-Policy')).toBe("default-src 'self'");
    expect(res.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('Permissions-Policy')).toBe('camera=(), microphone=(), geolocation=()');
    expect(res.headers.get('X-Request-ID')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes an incoming X-Request-ID', async () => {
    const { res } = await answer(api({ headers: { 'X-Request-ID': 'abc-123' } }).health.$get());
    expect(res.headers.get('X-Request-ID')).toBe('abc-123');
  });
});
