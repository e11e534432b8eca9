import { ArrowRightIcon } from '@radix-ui/react-icons';
import { Box, Card, Flex, Grid, Select, Switch, Text, TextField } from '@radix-ui/themes';
import { useId, useState } from 'react';
import { FormField } from '../FormField';
import type { PricingRule } from '../../../../worker/shared/pricing';
import { formatMoney } from '../../lib/format';
import { priceExample, type PricingErrors, type PricingForm } from '../../lib/imports';

const ROUNDING: { value: string; label: string }[] = [
  { value: 'none', label: 'Keep exact price' },
  { value: '0.99', label: 'End in .99' },
  { value: '0.95', label: 'End in .95' },
  { value: '0.49', label: 'End in .49' },
  { value: '0', label: 'Round up to a whole amount' },
];

/**
 * "Supplier cost $10.00 → your price $14.99, compare-at $19.99" for a cost the merchant
 * can change, computed with the worker's own pricing function.
 */
export function PriceExampleLine({ rule, valid, currency = 'USD' }: { rule: PricingRule; valid: boolean; currency?: string }) {
  const id = useId();
  const [costText, setCostText] = useState('10');
  const cost = Number(costText.replace(',', '.'));
  const costOk = costText.trim() !== '' && Number.isFinite(cost) && cost >= 0 && cost <= 1_000_000;
  const example = valid && costOk ? priceExample(cost, rule, currency) : null;
  return (
    <Card variant="surface" size="1">
      <Flex direction={{ initial: 'column', sm: 'row' }} gap="3" align={{ initial: 'stretch', sm: 'center' }}>
        <Flex align="center" gap="2" flexShrink="0">
          <Text as="label" htmlFor={id} size="2" color="gray" className="nowrap">
            Example cost
          </Text>
          <TextField.Root
            id={id}
            size="2"
            inputMode="decimal"
            value={costText}
            onChange={(e) => setCostText(e.target.value)}
            aria-invalid={costOk ? undefined : true}
            style={{ width: 96 }}
          />
        </Flex>
        <Text as="p" size="2" role="status" aria-live="polite" aria-label="Price example" data-testid="price-example">
          {example ? (
            <>
              Supplier cost <strong>{formatMoney(example.cost, currency)}</strong>{' '}
              <ArrowRightIcon aria-label="becomes" style={{ verticalAlign: 'middle' }} /> your price{' '}
              <Text weight="bold" color="green">
                {formatMoney(example.price, currency)}
              </Text>
              {example.compareAt !== null ? (
                <>
                  , compare-at <Text style={{ textDecoration: 'line-through' }}>{formatMoney(example.compareAt, currency)}</Text>
                </>
              ) : null}
            </>
          ) : (
            <Text color="gray">{costOk ? 'Fix the highlighted pricing fields to see an example.' : 'Enter an example cost to see the price.'}</Text>
          )}
        </Text>
      </Flex>
    </Card>
  );
}

/** The pricing rule, tags and publish choice shared by the single and bulk import forms. */
export function PricingFields({
  form,
  onChange,
  errors,
  rule,
}: {
  form: PricingForm;
  onChange: (next: PricingForm) => void;
  errors: PricingErrors;
  rule: PricingRule;
}) {
  const set = <K extends keyof PricingForm>(key: K, value: PricingForm[K]) => onChange({ ...form, [key]: value });
  const roundingId = useId();
  const valid = Object.keys(errors).length === 0;
  return (
    <Box asChild>
      <fieldset className="plain-fieldset">
        <Text as="div" size="3" weight="bold" mb="1" asChild>
          <legend>Pricing</legend>
        </Text>
        <Text as="p" size="2" color="gray" mb="3">
          Applied to every variant's supplier cost. Leave a field empty to skip it.
        </Text>
        <Grid columns={{ initial: '1', sm: '2' }} gap="3">
          <FormField
            label="Markup (%)"
            inputMode="decimal"
            placeholder="e.g. 50"
            value={form.markup_percent}
            error={errors.markup_percent}
            onChange={(e) => set('markup_percent', e.target.value)}
          />
          <FormField
            label="Fixed markup"
            hint="Added after the percentage, in the product's currency."
            inputMode="decimal"
            placeholder="e.g. 2.00"
            value={form.markup_fixed}
            error={errors.markup_fixed}
            onChange={(e) => set('markup_fixed', e.target.value)}
          />
          <FormField
            label="Multiplier (×)"
            hint="Applied before the markup; 1 or more."
            inputMode="decimal"
            placeholder="e.g. 2"
            value={form.price_multiplier}
            error={errors.price_multiplier}
            onChange={(e) => set('price_multiplier', e.target.value)}
          />
          <FormField
            label="Compare-at price (% above price)"
            hint="Shown struck through in the store."
            inputMode="decimal"
            placeholder="e.g. 30"
            value={form.compare_at_percent}
            error={errors.compare_at_percent}
            onChange={(e) => set('compare_at_percent', e.target.value)}
          />
          <Flex direction="column" gap="1">
            <Text as="label" htmlFor={roundingId} size="2" weight="medium">
              Price ending
            </Text>
            <Select.Root size="3" value={form.round_to === '' ? 'none' : form.round_to} onValueChange={(v) => set('round_to', v === 'none' ? '' : v)}>
              <Select.Trigger id={roundingId} />
              <Select.Content position="popper">
                {ROUNDING.map((r) => (
                  <Select.Item key={r.value} value={r.value}>
                    {r.label}
                  </Select.Item>
                ))}
              </Select.Content>
            </Select.Root>
          </Flex>
          <FormField
            label="Tags"
            hint="Comma-separated, added to the store product."
            placeholder="e.g. summer, bestseller"
            value={form.tags}
            error={errors.tags}
            onChange={(e) => set('tags', e.target.value)}
          />
        </Grid>
        <Box mt="3">
          <PriceExampleLine rule={rule} valid={valid} />
        </Box>
        <Box mt="3">
          <Text as="label" size="2">
            <Flex gap="2" align="center">
              <Switch checked={form.publish} onCheckedChange={(on) => set('publish', on)} />
              <span>
                <Text weight="medium">Publish in the store</Text>
                <Text color="gray"> · otherwise the product arrives as a draft</Text>
              </span>
            </Flex>
          </Text>
        </Box>
      </fieldset>
    </Box>
  );
}
