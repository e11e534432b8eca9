import { CheckCircledIcon, ExclamationTriangleIcon, InfoCircledIcon, PlusIcon, StackIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Callout, Checkbox, Dialog, Flex, Grid, Link, ScrollArea, Select, Text, TextArea } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link as RouterLink } from 'react-router';
import {
  createBulkImport,
  createImport,
  importKeys,
  storeConnectionsQuery,
  type ImportJob,
  type StoreConnection,
} from '../../api/imports';
import { ApiError, errorMessage } from '../../api/errors';
import { meQuery, usageQuery } from '../../api/queries';
import { DialogActions } from '../DialogActions';
import { FormField } from '../FormField';
import {
  BULK_MAX,
  DEFAULT_PRICING,
  SOURCE_LABELS,
  URL_SOURCES,
  detectUrl,
  parseBulkUrls,
  pricingRuleFrom,
  startsLikeUrl,
  withoutLines,
  type PricingForm,
  type UrlSource,
} from '../../lib/imports';
import { formatNumber } from '../../lib/format';
import { PricingFields } from './PricingFields';
import './imports.css';

const NO_STORE = 'none';

/** A failed create: the plan limit gets an upgrade link, everything else its message. */
export function ImportErrorCallout({ error }: { error: unknown }) {
  const limit = error instanceof ApiError && error.status === 403;
  const text = typeof error === 'string' ? error : errorMessage(error);
  const ref = useRef<HTMLDivElement>(null);
  // The forms are taller than a screen: bring the answer into view where the submit button was.
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [error]);
  return (
    <Callout.Root ref={ref} color={limit ? 'amber' : 'red'} role="alert">
      <Callout.Icon>{limit ? <InfoCircledIcon /> : <ExclamationTriangleIcon />}</Callout.Icon>
      <Callout.Text>
        {/[.!?]$/.test(text) ? text : `${text}.`}
        {limit && (
          <>
            {' '}
            <Link asChild weight="medium">
              <RouterLink to="/billing">Upgrade your plan</RouterLink>
            </Link>
          </>
        )}
      </Callout.Text>
    </Callout.Root>
  );
}

/**
 * The target store. The API sends an import without `store_id` to the default store, so
 * "keep as draft" exists only while no store is the default.
 */
function useTargetStore() {
  const connections = useQuery(storeConnectionsQuery);
  const stores: StoreConnection[] = connections.data?.items ?? [];
  // An API without the connections area (404) has no stores to offer: the same as none.
  const unavailable = connections.isError && !(connections.error instanceof ApiError && connections.error.status === 404);
  const fallback = stores.find((s) => s.is_default) ?? null;
  const [choice, setChoice] = useState<string | null>(null);
  const value = choice ?? fallback?.id ?? NO_STORE;
  return {
    connections,
    unavailable,
    stores,
    fallback,
    value,
    setValue: setChoice,
    storeId: value === NO_STORE ? null : value,
    reset: () => setChoice(null),
  };
}

type Target = ReturnType<typeof useTargetStore>;

function TargetFields({
  source,
  onSource,
  target,
  sourceHint,
}: {
  source: UrlSource;
  onSource: (s: UrlSource) => void;
  target: Target;
  sourceHint?: ReactNode;
}) {
  const sourceId = useId();
  const storeId = useId();
  const chosen = target.stores.find((s) => s.id === target.value);
  return (
    <Grid columns={{ initial: '1', sm: '2' }} gap="3">
      <Flex direction="column" gap="1">
        <Text as="label" htmlFor={sourceId} size="2" weight="medium">
          Supplier
        </Text>
        <Select.Root size="3" value={source} onValueChange={(v) => onSource(v as UrlSource)}>
          <Select.Trigger id={sourceId} />
          <Select.Content position="popper">
            {URL_SOURCES.map((s) => (
              <Select.Item key={s} value={s}>
                {SOURCE_LABELS[s]}
              </Select.Item>
            ))}
          </Select.Content>
        </Select.Root>
        {sourceHint}
      </Flex>
      <Flex direction="column" gap="1">
        <Text as="label" htmlFor={storeId} size="2" weight="medium">
          Target store
        </Text>
        <Select.Root size="3" value={target.value} onValueChange={target.setValue} disabled={target.connections.isPending}>
          <Select.Trigger id={storeId} placeholder={target.connections.isPending ? 'Loading stores…' : undefined} />
          <Select.Content position="popper">
            {target.stores.map((s) => (
              <Select.Item key={s.id} value={s.id}>
                {s.store_name}
                {s.is_default ? ' (default)' : ''}
              </Select.Item>
            ))}
            <Select.Item value={NO_STORE} disabled={target.fallback !== null}>
              No store — keep as draft
            </Select.Item>
          </Select.Content>
        </Select.Root>
        <Text size="1" color="gray">
          {target.unavailable
            ? 'Could not load your stores; the import goes to your default store, if any.'
            : chosen
              ? `Pushed to ${chosen.store_name} (${chosen.platform}).`
              : target.stores.length === 0
                ? 'No store connected: the product is kept here as a draft.'
                : 'Kept here as a draft, not pushed to a store.'}{' '}
          {target.stores.length === 0 && !target.unavailable && (
            <Link asChild size="1">
              <RouterLink to="/connections">Connect a store</RouterLink>
            </Link>
          )}
        </Text>
      </Flex>
    </Grid>
  );
}

/** Config for the API from the pricing form (and a title for single imports). */
function configFrom(form: PricingForm, title?: string) {
  const { rule, errors } = pricingRuleFrom(form);
  const t = title?.trim();
  return { config: { ...rule, ...(t ? { title_override: t } : {}) }, rule, errors };
}

function useCreated(onCreated: (jobs: ImportJob[]) => void) {
  const queryClient = useQueryClient();
  return (jobs: ImportJob[]) => {
    void queryClient.invalidateQueries({ queryKey: importKeys.all });
    void queryClient.invalidateQueries({ queryKey: usageQuery.queryKey });
    onCreated(jobs);
  };
}

function UrlHint({ url, source }: { url: string; source: UrlSource }) {
  const value = url.trim();
  if (!value) return null;
  if (!startsLikeUrl(value)) return null;
  const d = detectUrl(value);
  if (!d.ok) {
    return (
      <Text size="1" color="amber">
        {d.reason}: this import will probably fail. Supported are AliExpress, CJ Dropshipping and Spocket product pages.
      </Text>
    );
  }
  if (d.source !== source) {
    return (
      <Text size="1" color="amber">
        This is a {SOURCE_LABELS[d.source]} link, but the supplier is set to {SOURCE_LABELS[source]}.
      </Text>
    );
  }
  return (
    <Text size="1" color="green">
      <CheckCircledIcon style={{ verticalAlign: '-2px' }} aria-hidden="true" /> {SOURCE_LABELS[d.source]} product {d.productId}
    </Text>
  );
}

export function NewImportDialog({ onCreated, trigger }: { onCreated: (jobs: ImportJob[]) => void; trigger?: ReactNode }) {
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState<string | null>(null);
  const [source, setSource] = useState<UrlSource>('aliexpress');
  const [title, setTitle] = useState('');
  const [pricing, setPricing] = useState<PricingForm>(DEFAULT_PRICING);
  const me = useQuery(meQuery);
  const [review, setReview] = useState<boolean | null>(null);
  const target = useTargetStore();
  const created = useCreated(onCreated);
  const { config, rule, errors } = useMemo(() => configFrom(pricing, title), [pricing, title]);

  const create = useMutation({
    mutationFn: createImport,
    onSuccess: (job) => {
      created([job]);
      onOpenChange(false);
    },
  });

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setUrl('');
      setUrlError(null);
      setSource('aliexpress');
      setTitle('');
      setPricing(DEFAULT_PRICING);
      target.reset();
      create.reset();
    }
  }

  function onUrl(value: string) {
    setUrl(value);
    setUrlError(null);
    // Auto-detect; the merchant can still pick another supplier afterwards.
    const d = detectUrl(value);
    if (d.ok) setSource(d.source);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = url.trim();
    if (!value) return setUrlError('Paste the product link.');
    if (!startsLikeUrl(value)) return setUrlError('Enter a full link starting with https://');
    if (value.length > 2000) return setUrlError('The link is longer than 2,000 characters.');
    if (Object.keys(errors).length) return;
    // `review` goes only when it says something: the merchant ticked or unticked it, or the account default is on.
    const reviewing = review ?? me.data?.import_review ?? false;
    create.mutate({ product_url: value, source, store_id: target.storeId, config: reviewing || review !== null ? { ...config, review: reviewing } : config });
  }

  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Trigger>
        {trigger ?? (
          <Button size="3">
            <PlusIcon /> New import
          </Button>
        )}
      </Dialog.Trigger>
      <Dialog.Content maxWidth="680px" aria-describedby={undefined}>
        <form onSubmit={submit} noValidate>
          <Dialog.Title>New import</Dialog.Title>
          <Text as="p" size="2" color="gray" mb="4">
            Paste a supplier product link. SourcePilot fetches the product, prices every variant with your rule and sends it to
            your store.
          </Text>
          <Flex direction="column" gap="4">
            {create.isError && <ImportErrorCallout error={create.error} />}
            <Flex direction="column" gap="1">
              <FormField
                label="Product URL"
                placeholder="https://www.aliexpress.com/item/1005001234567890.html"
                value={url}
                error={urlError}
                inputMode="url"
                autoComplete="off"
                onChange={(e) => onUrl(e.target.value)}
              />
              {!urlError && <UrlHint url={url} source={source} />}
            </Flex>
            <TargetFields source={source} onSource={setSource} target={target} />
            <FormField
              label="Title (optional)"
              hint="Replaces the supplier's title in your store."
              value={title}
              maxLength={255}
              onChange={(e) => setTitle(e.target.value)}
            />
            <PricingFields form={pricing} onChange={setPricing} errors={errors} rule={rule} />
            <Text as="label" size="2">
              <Flex gap="2" align="center">
                <Checkbox checked={review ?? me.data?.import_review ?? false} onCheckedChange={(c) => setReview(c === true)} />
                Review in the import list first (edit, then push when ready)
              </Flex>
            </Text>
          </Flex>
          <DialogActions pending={create.isPending} label="Import product" />
        </form>
      </Dialog.Content>
    </Dialog.Root>
  );
}

function BulkSummary({ parsed }: { parsed: ReturnType<typeof parseBulkUrls> }) {
  const total = parsed.lines.length;
  return (
    <Flex gap="2" wrap="wrap" align="center" aria-live="polite" data-testid="bulk-counts">
      <Badge color={total > BULK_MAX ? 'red' : 'gray'} variant="soft">
        {formatNumber(total)} of {BULK_MAX} links
      </Badge>
      <Badge color="green" variant="soft">
        {formatNumber(parsed.valid.length)} ready
      </Badge>
      {parsed.invalid.length > 0 && (
        <Badge color="red" variant="soft">
          {formatNumber(parsed.invalid.length)} to fix
        </Badge>
      )}
    </Flex>
  );
}

export function BulkImportDialog({ onCreated }: { onCreated: (jobs: ImportJob[]) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [source, setSource] = useState<UrlSource | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [pricing, setPricing] = useState<PricingForm>(DEFAULT_PRICING);
  const target = useTargetStore();
  const created = useCreated(onCreated);
  const textId = useId();
  const { config, rule, errors } = useMemo(() => configFrom(pricing), [pricing]);
  const parsed = useMemo(() => parseBulkUrls(text, source), [text, source]);
  const effectiveSource: UrlSource = source ?? parsed.majority ?? 'aliexpress';

  const create = useMutation({
    mutationFn: createBulkImport,
    onSuccess: (jobs) => {
      created(jobs);
      onOpenChange(false);
    },
  });

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setText('');
      setSource(null);
      setFormError(null);
      setPricing(DEFAULT_PRICING);
      target.reset();
      create.reset();
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (parsed.lines.length === 0) return setFormError('Paste at least one product link, one per line.');
    if (parsed.invalid.length) return setFormError('Fix or remove the flagged lines first.');
    if (Object.keys(errors).length) return;
    setFormError(null);
    create.mutate({ product_urls: parsed.valid, source: effectiveSource, store_id: target.storeId, config });
  }

  const flagged = parsed.invalid;
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Trigger>
        <Button size="3" variant="soft">
          <StackIcon /> Bulk import
        </Button>
      </Dialog.Trigger>
      <Dialog.Content maxWidth="680px" aria-describedby={undefined}>
        <form onSubmit={submit} noValidate>
          <Dialog.Title>Bulk import</Dialog.Title>
          <Text as="p" size="2" color="gray" mb="4">
            Paste up to {BULK_MAX} product links from one supplier, one per line. Every product gets the same store and pricing.
          </Text>
          <Flex direction="column" gap="4">
            {formError ? <ImportErrorCallout error={formError} /> : create.isError && <ImportErrorCallout error={create.error} />}
            <Flex direction="column" gap="2">
              <Flex justify="between" align="end" gap="3" wrap="wrap">
                <Text as="label" htmlFor={textId} size="2" weight="medium">
                  Product URLs
                </Text>
                <BulkSummary parsed={parsed} />
              </Flex>
              <TextArea
                id={textId}
                size="3"
                rows={7}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  setFormError(null);
                }}
                placeholder={'https://www.aliexpress.com/item/1005001234567890.html\nhttps://www.aliexpress.com/item/1005009876543210.html'}
                aria-invalid={flagged.length ? true : undefined}
                aria-describedby={flagged.length ? `${textId}-problems` : undefined}
                spellCheck={false}
                className="url-list"
              />
              {flagged.length > 0 && (
                <Callout.Root color="red" size="1" id={`${textId}-problems`}>
                  <Callout.Icon>
                    <ExclamationTriangleIcon />
                  </Callout.Icon>
                  <Flex direction="column" gap="2" minWidth="0">
                    <Callout.Text weight="medium">
                      {flagged.length === 1 ? '1 line needs attention' : `${formatNumber(flagged.length)} lines need attention`}
                    </Callout.Text>
                    <ScrollArea type="auto" scrollbars="vertical" style={{ maxHeight: 132 }}>
                      <ul aria-label="Flagged lines" className="flag-list">
                        {flagged.map((l) => (
                          <li key={l.line}>
                            <Text size="1">
                              <strong>Line {l.line}:</strong> {l.problem}
                              <Text color="gray" className="flag-url">
                                {' '}
                                — {l.url}
                              </Text>
                            </Text>
                          </li>
                        ))}
                      </ul>
                    </ScrollArea>
                    <Box>
                      <Button
                        type="button"
                        size="1"
                        variant="soft"
                        color="red"
                        onClick={() => setText(withoutLines(text, new Set(flagged.map((l) => l.line))))}
                      >
                        Remove flagged lines
                      </Button>
                    </Box>
                  </Flex>
                </Callout.Root>
              )}
            </Flex>
            <TargetFields
              source={effectiveSource}
              onSource={setSource}
              target={target}
              sourceHint={
                source === null && parsed.majority ? (
                  <Text size="1" color="gray">
                    Detected from the links.
                  </Text>
                ) : undefined
              }
            />
            <PricingFields form={pricing} onChange={setPricing} errors={errors} rule={rule} />
          </Flex>
          <DialogActions
            pending={create.isPending}
            label={parsed.valid.length && !flagged.length ? `Import ${formatNumber(parsed.valid.length)} product${parsed.valid.length === 1 ? '' : 's'}` : 'Import products'}
          />
        </form>
      </Dialog.Content>
    </Dialog.Root>
  );
}
