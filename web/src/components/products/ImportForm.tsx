import { ExclamationTriangleIcon, InfoCircledIcon } from '@radix-ui/react-icons';
import { Button, Callout, Checkbox, Flex, Heading, Link, Text, TextField } from '@radix-ui/themes';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link as RouterLink } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { createImport, estimatePrice, type ProductPreview } from '../../api/products';
import { formatMoney } from '../../lib/format';

export function ImportForm({ product }: { product: ProductPreview }) {
  const [markup, setMarkup] = useState('50');
  const [round, setRound] = useState(true);
  const markupValue = Number(markup);
  const markupValid = markup.trim() !== '' && Number.isFinite(markupValue) && markupValue >= 0 && markupValue <= 10_000;
  const run = useMutation({
    mutationFn: () =>
      createImport({
        product_url: product.source_url,
        source: product.source,
        config: { markup_percent: markupValue, ...(round ? { round_to: 0.99 } : {}) },
      }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (markupValid) run.mutate();
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Import this product">
      <Flex direction="column" gap="3">
        <Heading as="h3" size="3">
          Import to your store
        </Heading>
        <Flex gap="3" align="end" wrap="wrap">
          <Flex direction="column" gap="1">
            <Text as="label" htmlFor="markup" size="2" weight="medium">
              Markup %
            </Text>
            <TextField.Root
              id="markup"
              type="number"
              inputMode="decimal"
              min={0}
              max={10000}
              value={markup}
              onChange={(e) => setMarkup(e.target.value)}
              style={{ width: 110 }}
              color={markupValid ? undefined : 'red'}
              aria-invalid={markupValid ? undefined : true}
            />
          </Flex>
          <Text as="label" size="2">
            <Flex gap="2" align="center" style={{ height: 32 }}>
              <Checkbox checked={round} onCheckedChange={(c) => setRound(c === true)} /> Round to .99
            </Flex>
          </Text>
          <Button type="submit" size="2" loading={run.isPending} disabled={!markupValid}>
            Import product
          </Button>
        </Flex>
        <Text size="2" color="gray">
          {markupValid
            ? `Selling price from about ${formatMoney(estimatePrice(product.price, markupValue, round), product.currency)} (cost ${formatMoney(product.price, product.currency)}).`
            : 'Enter a markup between 0 and 10,000 %.'}
        </Text>
        {product.mode === 'demo' && (
          <Text size="1" color="gray">
            This is a demo product for trying SourcePilot out: connect a supplier account before importing to a real store.
          </Text>
        )}
        {run.isSuccess && (
          <Callout.Root color="green" role="status" size="1">
            <Callout.Icon>
              <InfoCircledIcon />
            </Callout.Icon>
            <Callout.Text>
              Import started (status: {run.data.status}).{' '}
              <Link asChild weight="medium">
                <RouterLink to="/imports">Follow it in Imports</RouterLink>
              </Link>
            </Callout.Text>
          </Callout.Root>
        )}
        {run.isError && (
          <Callout.Root color={run.error instanceof ApiError && run.error.status === 403 ? 'amber' : 'red'} role="alert" size="1">
            <Callout.Icon>
              <ExclamationTriangleIcon />
            </Callout.Icon>
            <Callout.Text>{errorMessage(run.error)}</Callout.Text>
          </Callout.Root>
        )}
      </Flex>
    </form>
  );
}
