import { describe, expect, it } from 'vitest';
import { ApiError, formatDetail } from './errors';

describe('formatDetail', () => {
  it('shows a business error as the API wrote it', () => {
    expect(formatDetail('A user with this email already exists', 409)).toBe('A user with this email already exists');
  });

  it('names the field of each 422 problem', () => {
    const detail = [
      { type: 'value_error', loc: ['body', 'email'], msg: 'value is not a valid email address', input: 'x' },
      {
        type: 'string_too_short',
        loc: ['body', 'password'],
        msg: 'String should have at least 8 characters',
        input: 'short',
        ctx: { min_length: 8 },
      },
    ];
    expect(formatDetail(detail, 422)).toBe('Email: Value is not a valid email address. Password: String should have at least 8 characters.');
  });

  it('reads nested, list and query locations', () => {
    expect(formatDetail([{ loc: ['body', 'product_urls', 2], msg: 'Field required' }])).toBe('Product urls, item 3: Field required.');
    expect(formatDetail([{ loc: ['query', 'email'], msg: 'Field required' }])).toBe('Email: Field required.');
    expect(formatDetail([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }])).toBe('Request body: Field required.');
  });

  it('does not repeat identical problems', () => {
    const item = { loc: ['body', 'name'], msg: 'Field required' };
    expect(formatDetail([item, item])).toBe('Name: Field required.');
  });

  it('falls back to the status when there is no detail', () => {
    expect(formatDetail(undefined, 502)).toMatch(/trouble right now \(error 502\)/);
    expect(formatDetail(undefined, 0)).toMatch(/Could not reach SourcePilot/);
    expect(formatDetail([], 400)).toBe('The request failed (error 400).');
  });

  it('gives ApiError a ready-to-show message', () => {
    const err = new ApiError(422, [{ loc: ['body', 'name'], msg: 'Field required' }]);
    expect(err.message).toBe('Name: Field required.');
    expect(err.status).toBe(422);
  });
});
