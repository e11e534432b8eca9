import { ExclamationTriangleIcon, ExternalLinkIcon, InfoCircledIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Callout, Card, Code, DataList, Dialog, Flex, Heading, Link, Skeleton, Table, Text } from '@radix-ui/themes';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import {
  importHistoryQuery,
  importJobQuery,
  importKeys,
  POLL_MS,
  isActive,
  productOf,
  type HistoryEntry,
  type ImportJob,
  type PricedProduct,
} from '../../api/imports';
import { CloseAction } from '../DialogActions';
import { ErrorState, QueryState, SkeletonLines } from '../States';
import { formatDateTime, formatMoney, formatNumber } from '../../lib/format';
import { SOURCE_LABELS, jobDuration } from '../../lib/imports';
import { JobActions } from './JobActions';
import { JobStatus, SourceBadge } from './JobStatus';
import './imports.css';

const HISTORY_LABELS: Record<string, string> = {
  created: 'Created',
  running: 'Started',
  retry_scheduled: 'Will retry',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  retried: 'Retried',
};

const HISTORY_COLORS: Record<string, string> = {
  created: 'gray',
  running: 'blue',
  retry_scheduled: 'amber',
  completed: 'green',
  failed: 'red',
  cancelled: 'gray',
  retried: 'indigo',
};

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}

/** One line about a history entry, from the details the worker records for it. */
function historyText(entry: HistoryEntry): string | null {
  const d = (entry.details ?? {}) as Record<string, unknown>;
  switch (entry.action) {
    case 'created':
      return d.bulk ? 'Queued as part of a bulk import.' : 'Queued.';
    case 'running':
      return typeof d.attempt === 'number' && d.attempt > 1 ? `Attempt ${d.attempt}.` : null;
    case 'retry_scheduled':
    case 'failed':
      return str(d.error);
    case 'completed':
      if (d.draft) return 'Kept as a draft (no store).';
      return str(d.created_product_id) ? `Store product ${d.created_product_id}.` : null;
    case 'cancelled':
    case 'retried':
      return str(d.previous_status) ? `Was ${d.previous_status}.` : null;
    default:
      return null;
  }
}

/** Warnings the store gave when it accepted the product (recorded with the `completed` entry). */
export function warningsOf(history: HistoryEntry[] | undefined): string[] {
  const done = [...(history ?? [])].reverse().find((h) => h.action === 'completed');
  const w = (done?.details as { warnings?: unknown } | null)?.warnings;
  return Array.isArray(w) ? w.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}

function Timeline({ jobId, active }: { jobId: string; active: boolean }) {
  const history = useQuery({ ...importHistoryQuery(jobId), refetchInterval: active ? POLL_MS : false });
  return (
    <QueryState query={history} loading={<SkeletonLines lines={3} />} errorTitle="Could not load the history">
      {(entries) => (
        <ol className="timeline" aria-label="History">
          {entries.map((h) => {
            const text = historyText(h);
            return (
              <li key={h.id} data-action={h.action}>
                <span className="timeline-dot" data-color={HISTORY_COLORS[h.action] ?? 'gray'} aria-hidden="true" />
                <Flex direction="column">
                  <Flex gap="2" align="baseline" wrap="wrap">
                    <Text size="2" weight="medium">
                      {HISTORY_LABELS[h.action] ?? h.action}
                    </Text>
                    <Text size="1" color="gray">
                      {formatDateTime(h.created_at)}
                    </Text>
                  </Flex>
                  {text && (
                    <Text size="1" color="gray">
                      {text}
                    </Text>
                  )}
                </Flex>
              </li>
            );
          })}
        </ol>
      )}
    </QueryState>
  );
}

function Images({ product }: { product: PricedProduct }) {
  const images = product.images ?? [];
  if (!images.length) return null;
  return (
    <Flex gap="2" wrap="wrap" aria-label="Product images" role="list">
      {images.slice(0, 8).map((src, i) => (
        <img key={i} role="listitem" src={src} alt={i === 0 ? (product.title ?? 'Product image') : ''} className="product-image" loading="lazy" />
      ))}
    </Flex>
  );
}

function Variants({ product }: { product: PricedProduct }) {
  const variants = product.variants ?? [];
  if (!variants.length) return null;
  const currency = product.currency ?? 'USD';
  const money = (n: number | null | undefined) => (typeof n === 'number' ? formatMoney(n, currency) : '—');
  return (
    <Box minWidth="0">
      <Heading as="h3" size="3" mb="2">
        Variants ({formatNumber(variants.length)})
      </Heading>
      <Card size="1" style={{ padding: 0, maxWidth: '100%' }}>
        <Box className="table-scroll" style={{ maxHeight: 320 }}>
          <Table.Root size="1" variant="ghost">
            <caption className="visually-hidden">Variants</caption>
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeaderCell>Variant</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>SKU</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Cost</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Price</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Compare-at</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Stock</Table.ColumnHeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {variants.map((v, i) => (
                <Table.Row key={v.key ?? i}>
                  <Table.RowHeaderCell>{Object.values(v.options ?? {}).join(' / ') || 'Default'}</Table.RowHeaderCell>
                  <Table.Cell>
                    <Text color="gray">{v.sku ?? '—'}</Text>
                  </Table.Cell>
                  <Table.Cell justify="end" className="tabular">
                    {money(v.cost)}
                  </Table.Cell>
                  <Table.Cell justify="end" className="tabular">
                    <Text weight="medium">{money(v.price)}</Text>
                  </Table.Cell>
                  <Table.Cell justify="end" className="tabular">
                    {money(v.compare_at)}
                  </Table.Cell>
                  <Table.Cell justify="end" className="tabular">
                    {typeof v.stock === 'number' ? formatNumber(v.stock) : '—'}
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
        </Box>
      </Card>
    </Box>
  );
}

function Details({ job, storeName }: { job: ImportJob; storeName: string }) {
  const product = productOf(job);
  const active = isActive(job);
  const history = useQuery({ ...importHistoryQuery(job.id), enabled: false });
  const warnings = warningsOf(history.data);
  const store = product?.store;
  return (
    <Flex direction="column" gap="4" minWidth="0">
      <Flex justify="between" align="start" gap="3" wrap="wrap">
        <JobStatus job={job} />
        <JobActions job={job} size="2" />
      </Flex>

      {job.status === 'failed' && job.error_message && (
        <Callout.Root color="red" role="alert">
          <Callout.Icon>
            <ExclamationTriangleIcon />
          </Callout.Icon>
          <Callout.Text className="long-message">
            <strong>Import failed:</strong> {job.error_message}
          </Callout.Text>
        </Callout.Root>
      )}
      {active && job.error_message && (
        <Callout.Root color="amber">
          <Callout.Icon>
            <InfoCircledIcon />
          </Callout.Icon>
          <Callout.Text className="long-message">{job.error_message}</Callout.Text>
        </Callout.Root>
      )}
      {warnings.length > 0 && (
        <Callout.Root color="amber">
          <Callout.Icon>
            <InfoCircledIcon />
          </Callout.Icon>
          <Flex direction="column" gap="1">
            <Callout.Text weight="medium">The store accepted the product with warnings:</Callout.Text>
            <ul className="bullets">
              {warnings.map((w) => (
                <Text as="p" size="2" asChild key={w}>
                  <li>{w}</li>
                </Text>
              ))}
            </ul>
          </Flex>
        </Callout.Root>
      )}

      {store?.url && (
        <Button asChild variant="soft" color="green" style={{ alignSelf: 'flex-start' }}>
          <a href={store.url} target="_blank" rel="noreferrer noopener">
            View in {store.name} <ExternalLinkIcon />
          </a>
        </Button>
      )}

      {product && <Images product={product} />}

      <DataList.Root size="2" orientation={{ initial: 'vertical', sm: 'horizontal' }}>
        <DataList.Item>
          <DataList.Label minWidth="120px">Supplier</DataList.Label>
          <DataList.Value>
            <Flex gap="2" align="center" wrap="wrap">
              <SourceBadge source={job.source} />
              {product?.supplier_name && <Text size="2">{product.supplier_name}</Text>}
              {product?.mode === 'demo' && (
                <Badge color="gray" variant="outline" title="From the built-in demo catalogue: connect a supplier account for live data">
                  Demo data
                </Badge>
              )}
            </Flex>
          </DataList.Value>
        </DataList.Item>
        {job.product_url && (
          <DataList.Item>
            <DataList.Label minWidth="120px">Product link</DataList.Label>
            <DataList.Value>
              <Link href={job.product_url} target="_blank" rel="noreferrer noopener" className="break-all">
                {job.product_url}
              </Link>
            </DataList.Value>
          </DataList.Item>
        )}
        <DataList.Item>
          <DataList.Label minWidth="120px">Store</DataList.Label>
          <DataList.Value>
            <Flex direction="column" gap="1" minWidth="0">
              <Text>{storeName}</Text>
              {job.created_product_id && (
                <Code variant="ghost" color="gray" size="1" className="break-all" title="The product's id in the store">
                  {job.created_product_id}
                </Code>
              )}
            </Flex>
          </DataList.Value>
        </DataList.Item>
        {product && typeof product.price === 'number' && (
          <DataList.Item>
            <DataList.Label minWidth="120px">Price</DataList.Label>
            <DataList.Value>
              {formatMoney(product.price, product.currency ?? 'USD')}
              {typeof product.cost === 'number' && (
                <Text color="gray">&nbsp;· supplier cost {formatMoney(product.cost, product.currency ?? 'USD')}</Text>
              )}
            </DataList.Value>
          </DataList.Item>
        )}
        {product?.shipping && (
          <DataList.Item>
            <DataList.Label minWidth="120px">Shipping</DataList.Label>
            <DataList.Value>
              {formatMoney(product.shipping.cost, product.currency ?? 'USD')}
              {product.shipping.days !== null && ` · about ${product.shipping.days} days`}
            </DataList.Value>
          </DataList.Item>
        )}
        {product?.tags && product.tags.length > 0 && (
          <DataList.Item>
            <DataList.Label minWidth="120px">Tags</DataList.Label>
            <DataList.Value>
              <Flex gap="1" wrap="wrap">
                {product.tags.map((t) => (
                  <Badge key={t} variant="surface" color="gray">
                    {t}
                  </Badge>
                ))}
              </Flex>
            </DataList.Value>
          </DataList.Item>
        )}
        {product && (
          <DataList.Item>
            <DataList.Label minWidth="120px">Visibility</DataList.Label>
            <DataList.Value>{product.published ? 'Published' : 'Draft'}</DataList.Value>
          </DataList.Item>
        )}
        <DataList.Item>
          <DataList.Label minWidth="120px">Created</DataList.Label>
          <DataList.Value>{formatDateTime(job.created_at)}</DataList.Value>
        </DataList.Item>
        <DataList.Item>
          <DataList.Label minWidth="120px">Duration</DataList.Label>
          <DataList.Value>{jobDuration(job)}</DataList.Value>
        </DataList.Item>
      </DataList.Root>

      {product && <Variants product={product} />}

      <Box>
        <Heading as="h3" size="3" mb="2">
          History
        </Heading>
        <Timeline jobId={job.id} active={active} />
      </Box>
    </Flex>
  );
}

/** Everything about one import: product, prices, store, errors and its history. */
export function JobDetailsDialog({
  jobId,
  initial,
  storeNameOf,
  onClose,
}: {
  jobId: string | null;
  initial?: ImportJob;
  storeNameOf: (job: ImportJob) => string;
  onClose: () => void;
}) {
  return (
    <Dialog.Root open={jobId !== null} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Content maxWidth="760px" aria-describedby={undefined}>
        {jobId && <DialogBody jobId={jobId} initial={initial} storeNameOf={storeNameOf} />}
        <CloseAction mt="5" />
      </Dialog.Content>
    </Dialog.Root>
  );
}

function DialogBody({ jobId, initial, storeNameOf }: { jobId: string; initial?: ImportJob; storeNameOf: (job: ImportJob) => string }) {
  const job = useQuery({ ...importJobQuery(jobId), initialData: initial, staleTime: 0 });
  const queryClient = useQueryClient();
  const status = job.data?.status;
  // A new status means new history entries, also after the timeline stopped polling.
  useEffect(() => {
    if (status) void queryClient.invalidateQueries({ queryKey: importKeys.history(jobId) });
  }, [status, jobId, queryClient]);

  if (job.isPending) {
    return (
      <>
        <Dialog.Title>
          <Skeleton width="60%" height="24px" />
        </Dialog.Title>
        <SkeletonLines lines={5} />
      </>
    );
  }
  if (job.isError) {
    return (
      <>
        <Dialog.Title>Import</Dialog.Title>
        <ErrorState title="Could not load this import" error={job.error} onRetry={() => void job.refetch()} />
      </>
    );
  }
  const product = productOf(job.data);
  return (
    <>
      <Dialog.Title mb="1" className="break-words">
        {product?.title ?? 'Import'}
      </Dialog.Title>
      <Text as="p" size="2" color="gray" mb="4">
        {SOURCE_LABELS[job.data.source]} import · {formatDateTime(job.data.created_at)}
      </Text>
      <Details job={job.data} storeName={storeNameOf(job.data)} />
    </>
  );
}
