import '../../test/setup';
import { Theme } from '@radix-ui/themes';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICING, pricingRuleFrom, type PricingForm } from '../../lib/imports';
import { PricingFields } from './PricingFields';

afterEach(cleanup);

function Harness({ initial }: { initial: PricingForm }) {
  const [form, setForm] = useState(initial);
  const { rule, errors } = pricingRuleFrom(form);
  return (
    <Theme>
      <PricingFields form={form} onChange={setForm} errors={errors} rule={rule} />
    </Theme>
  );
}

const example = () => (screen.getByRole('status', { name: 'Price example' }).textContent ?? '').replace(/\s+/g, ' ').trim();

describe('the live price example', { timeout: 20_000 }, () => {
  it('follows every pricing field as it is typed', async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ ...DEFAULT_PRICING, markup_percent: '', round_to: '' }} />);
    expect(example()).toBe('Supplier cost $10.00 your price $10.00');

    await user.type(screen.getByLabelText('Markup (%)'), '40');
    expect(example()).toBe('Supplier cost $10.00 your price $14.00');

    await user.type(screen.getByLabelText('Compare-at price (% above price)'), '33');
    expect(example()).toBe('Supplier cost $10.00 your price $14.00, compare-at $18.62');

    await user.type(screen.getByLabelText('Fixed markup'), '1.5');
    expect(example()).toBe('Supplier cost $10.00 your price $15.50, compare-at $20.62');
  });

  it('applies the chosen price ending, the default being .99', async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ ...DEFAULT_PRICING, markup_percent: '40', compare_at_percent: '33' }} />);
    expect(example()).toBe('Supplier cost $10.00 your price $14.99, compare-at $19.99');

    await user.clear(screen.getByLabelText('Example cost'));
    await user.type(screen.getByLabelText('Example cost'), '3.2');
    expect(example()).toBe('Supplier cost $3.20 your price $4.99, compare-at $6.99');
  });

  it('explains instead of guessing when a field is out of range', async () => {
    const user = userEvent.setup();
    render(<Harness initial={DEFAULT_PRICING} />);
    await user.type(screen.getByLabelText('Multiplier (×)'), '0.5');
    expect(screen.getByText('Must be at least 1')).toBeTruthy();
    expect(screen.getByLabelText('Multiplier (×)').getAttribute('aria-invalid')).toBe('true');
    expect(example()).toBe('Fix the highlighted pricing fields to see an example.');

    await user.clear(screen.getByLabelText('Multiplier (×)'));
    await user.type(screen.getByLabelText('Multiplier (×)'), '2');
    expect(example()).toBe('Supplier cost $10.00 your price $30.99');
  });

  it('asks for an example cost when the cost is not a number', async () => {
    const user = userEvent.setup();
    render(<Harness initial={DEFAULT_PRICING} />);
    await user.clear(screen.getByLabelText('Example cost'));
    expect(example()).toBe('Enter an example cost to see the price.');
  });
});
