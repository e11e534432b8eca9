import { ChevronLeftIcon, ChevronRightIcon, DownloadIcon, MixerHorizontalIcon } from '@radix-ui/react-icons';
import { Box, Button, Card, Flex, Grid, Select, Skeleton, Text } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router';
import {
  STATUSES,
  importCountsQuery,
  importListQuery,
  productOf,
  storeConnectionsQuery,
  type ImportCounts,
  type ImportJob,
  type ImportStatus,
} from '../api/imports';
import { PHONE_QUERY, useMediaQuery } from '../app/useMediaQuery';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryState } from '../components/States';
import { BulkImportDialog, NewImportDialog } from '../components/imports/ImportDialogs';
import { JobDetailsDialog } from '../components/imports/JobDetailsDialog';
import { STATUS_META } from '../components/imports/JobStatus';
import { JobCards, JobsTable } from '../components/imports/JobsList';
import { formatNumber } from '../lib/format';

const PAGE_SIZES = [10, 20, 50, 100];
const DEFAULT_PAGE_SIZE = 20;
const ALL = 'all';

const CARDS: { key: keyof ImportCounts; label: string; status?: ImportStatus }[] = [
  { key: 'total', label: 'Total' },
  { key: 'pending', label: 'Pending', status: 'pending' },
  { key: 'running', label: 'Running', status: 'running' },
  { key: 'completed', label: 'Completed', status: 'completed' },
  { key: 'failed', label: 'Failed', status: 'failed' },
];

/** Filters, paging and the open job live in the address, so every view is a link. */
function useImportParams() {
  const [params, setParams] = useSearchParams();
  const rawStatus = params.get('status');
  const status = STATUSES.includes(rawStatus as ImportStatus) ? (rawStatus as ImportStatus) : undefined;
  const storeId = params.get('store') ?? undefined;
  const size = PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : DEFAULT_PAGE_SIZE;
  const page = Math.max(1, Math.floor(Number(params.get('page')) || 1));
  const jobId = params.get('job');

  const update = useCallback(
    (changes: Record<string, string | null>, { replace = false } = {}) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null) next.delete(k);
            else next.set(k, v);
          }
          return next;
        },
        { replace },
      );
    },
    [setParams],
  );
  const hrefWith = useCallback(
    (changes: Record<string, string>) => {
      const next = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) next.set(k, v);
      return `?${next.toString()}`;
    },
    [params],
  );
  return { status, storeId, size, page, jobId, update, hrefWith };
}

function SummaryCards({
  counts,
  isError,
  status,
  onStatus,
}: {
  counts: ImportCounts | undefined;
  isError: boolean;
  status: ImportStatus | undefined;
  onStatus: (s: ImportStatus | undefined) => void;
}) {
  return (
    <Grid columns={{ initial: '2', sm: '5' }} gap="3" mb="5" aria-label="Import summary" role="group">
      {CARDS.map((card) => {
        const selected = card.status ? status === card.status : status === undefined;
        const value = counts?.[card.key];
        return (
          <Card
            key={card.key}
            size="2"
            asChild
            className={card.key === 'total' ? 'summary-card summary-total' : 'summary-card'}
            data-selected={selected || undefined}
            style={card.key === 'total' ? undefined : { ['--summary-accent' as string]: `var(--${STATUS_META[card.status!].color}-9)` }}
          >
            <button
              type="button"
              aria-pressed={selected}
              aria-label={`${card.label}: ${value === undefined ? 'loading' : formatNumber(value)}`}
              onClick={() => onStatus(card.status)}
            >
              <Text as="div" size="2" color="gray" weight="medium">
                {card.label}
              </Text>
              {value !== undefined ? (
                <Text as="div" size="7" weight="bold" className="kpi-value">
                  {formatNumber(value)}
                </Text>
              ) : isError ? (
                <Text as="div" size="7" weight="bold" color="gray">
                  –
                </Text>
              ) : (
                <Skeleton height="32px" width="48px" mt="1" />
              )}
            </button>
          </Card>
        );
      })}
    </Grid>
  );
}

function ListSkeleton() {
  return (
    <Card size="2" aria-busy="true" aria-label="Loading imports">
      <Flex direction="column" gap="4">
        {Array.from({ length: 5 }, (_, i) => (
          <Flex key={i} gap="3" align="center">
            <Skeleton width="40px" height="40px" />
            <Flex direction="column" gap="2" flexGrow="1">
              <Skeleton height="14px" width={`${70 - i * 8}%`} />
              <Skeleton height="10px" width="40%" />
            </Flex>
            <Skeleton width="80px" height="22px" />
          </Flex>
        ))}
      </Flex>
    </Card>
  );
}

function Pagination({
  page,
  size,
  total,
  shown,
  onPage,
  onSize,
}: {
  page: number;
  size: number;
  total: number;
  shown: number;
  onPage: (p: number) => void;
  onSize: (s: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / size));
  const from = total === 0 ? 0 : (page - 1) * size + 1;
  const to = (page - 1) * size + shown;
  return (
    <Flex justify="between" align="center" gap="3" mt="4" wrap="wrap" asChild>
      <nav aria-label="Pagination">
        <Text size="2" color="gray" aria-live="polite">
          {total === 0 ? 'No imports' : `Showing ${formatNumber(from)}–${formatNumber(to)} of ${formatNumber(total)}`}
        </Text>
        <Flex gap="3" align="center">
          <Flex gap="2" align="center">
            <Text size="2" color="gray" className="nowrap" id="page-size-label">
              Per page
            </Text>
            <Select.Root size="2" value={String(size)} onValueChange={(v) => onSize(Number(v))}>
              <Select.Trigger aria-labelledby="page-size-label" />
              <Select.Content position="popper">
                {PAGE_SIZES.map((s) => (
                  <Select.Item key={s} value={String(s)}>
                    {s}
                  </Select.Item>
                ))}
              </Select.Content>
            </Select.Root>
          </Flex>
          <Flex gap="2">
            <Button variant="soft" color="gray" disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label="Previous page">
              <ChevronLeftIcon /> <span className="hide-on-phone">Previous</span>
            </Button>
            <Button variant="soft" color="gray" disabled={page >= pages} onClick={() => onPage(page + 1)} aria-label="Next page">
              <span className="hide-on-phone">Next</span> <ChevronRightIcon />
            </Button>
          </Flex>
        </Flex>
      </nav>
    </Flex>
  );
}

export default function Imports() {
  const { status, storeId, size, page, jobId, update, hrefWith } = useImportParams();
  const phone = useMediaQuery(PHONE_QUERY);
  const filter = { status, storeId, skip: (page - 1) * size, limit: size };
  const list = useQuery(importListQuery(filter));
  const counts = useQuery(importCountsQuery);
  const connections = useQuery(storeConnectionsQuery);
  const stores = useMemo(() => connections.data?.items ?? [], [connections.data]);

  // The cards follow the list: every later list refresh (polling included) refreshes them;
  // the first load needs nothing, both queries start together.
  const listUpdatedAt = list.dataUpdatedAt;
  const lastListUpdate = useRef(listUpdatedAt);
  const refetchCounts = counts.refetch;
  useEffect(() => {
    if (listUpdatedAt === lastListUpdate.current) return;
    const first = lastListUpdate.current === 0;
    lastListUpdate.current = listUpdatedAt;
    if (!first) void refetchCounts();
  }, [listUpdatedAt, refetchCounts]);

  // A page past the end (after deleting filters or jobs finishing elsewhere) goes back to the last one.
  const total = list.data?.total;
  useEffect(() => {
    if (total !== undefined && !list.isPlaceholderData && page > 1 && (page - 1) * size >= total) {
      update({ page: total === 0 ? null : String(Math.ceil(total / size)) }, { replace: true });
    }
  }, [total, page, size, update, list.isPlaceholderData]);

  const storeNameOf = useCallback(
    (job: ImportJob) => {
      const product = productOf(job);
      if (job.store_id) return stores.find((s) => s.id === job.store_id)?.store_name ?? product?.store?.name ?? 'Removed store';
      return 'Draft · no store';
    },
    [stores],
  );
  const openJob = list.data?.items.find((j) => j.id === jobId);
  const filtersActive = status !== undefined || storeId !== undefined;
  const noImportsYet = counts.data?.total === 0 || (!filtersActive && list.data?.total === 0);

  const onCreated = () => update({ status: null, store: null, page: null });
  const onStatus = (s: ImportStatus | undefined) => update({ status: s ?? null, page: null });
  const actions = (
    <>
      <BulkImportDialog onCreated={onCreated} />
      <NewImportDialog onCreated={onCreated} />
    </>
  );

  return (
    <>
      <PageHeader
        title="Imports"
        description="Bring supplier products into your store, one link at a time or up to 50 at once, and follow every import to the end."
        actions={actions}
      />

      <QueryState
        query={list}
        keepData
        loading={
          <>
            <SummaryCards counts={undefined} isError={false} status={status} onStatus={onStatus} />
            <ListSkeleton />
          </>
        }
        errorTitle="Could not load your imports"
        onRetry={() => {
          void list.refetch();
          void counts.refetch();
        }}
        isEmpty={() => noImportsYet}
        empty={
          <EmptyState icon={<DownloadIcon />} title="No imports yet" action={<NewImportDialog onCreated={onCreated} />}>
            Paste a product link from AliExpress, CJ Dropshipping or Spocket. SourcePilot fetches the product, applies your pricing and
            sends it to your store, or keeps it as a draft until you connect one.
          </EmptyState>
        }
      >
        {(data) => (
          <>
            <SummaryCards counts={counts.data} isError={counts.isError} status={status} onStatus={onStatus} />
            <Flex gap="3" mb="3" align="center" wrap="wrap" role="group" aria-label="Filters">
              <MixerHorizontalIcon aria-hidden="true" color="var(--gray-10)" />
              <Select.Root value={status ?? ALL} onValueChange={(v) => update({ status: v === ALL ? null : v, page: null })}>
                <Select.Trigger aria-label="Filter by status" variant="surface" />
                <Select.Content position="popper">
                  <Select.Item value={ALL}>All statuses</Select.Item>
                  {STATUSES.map((s) => (
                    <Select.Item key={s} value={s}>
                      {STATUS_META[s].label}
                    </Select.Item>
                  ))}
                </Select.Content>
              </Select.Root>
              {(stores.length > 0 || storeId) && (
                <Select.Root value={storeId ?? ALL} onValueChange={(v) => update({ store: v === ALL ? null : v, page: null })}>
                  <Select.Trigger aria-label="Filter by store" variant="surface" />
                  <Select.Content position="popper">
                    <Select.Item value={ALL}>All stores</Select.Item>
                    {stores.map((s) => (
                      <Select.Item key={s.id} value={s.id}>
                        {s.store_name}
                      </Select.Item>
                    ))}
                    {storeId && !stores.some((s) => s.id === storeId) && <Select.Item value={storeId}>Removed store</Select.Item>}
                  </Select.Content>
                </Select.Root>
              )}
              {filtersActive && (
                <Button variant="ghost" color="gray" onClick={() => update({ status: null, store: null, page: null })}>
                  Clear filters
                </Button>
              )}
              {list.isError && (
                <Text size="1" color="red" role="alert">
                  Could not refresh the list; showing what was loaded before.
                </Text>
              )}
            </Flex>

            {data.items.length === 0 ? (
              <EmptyState
                icon={<MixerHorizontalIcon />}
                title="No imports match these filters"
                action={
                  <Button variant="soft" onClick={() => update({ status: null, store: null, page: null })}>
                    Show all imports
                  </Button>
                }
              >
                Try another status or store.
              </EmptyState>
            ) : (
              <Box className={list.isPlaceholderData ? 'jobs-stale' : undefined} aria-busy={list.isPlaceholderData || undefined}>
                {phone ? (
                  <JobCards jobs={data.items} storeNameOf={storeNameOf} detailsHref={(j) => hrefWith({ job: j.id })} />
                ) : (
                  <JobsTable jobs={data.items} storeNameOf={storeNameOf} detailsHref={(j) => hrefWith({ job: j.id })} />
                )}
              </Box>
            )}
            <Pagination
              page={page}
              size={size}
              total={data.total}
              shown={data.items.length}
              onPage={(p) => update({ page: p === 1 ? null : String(p) })}
              onSize={(s) => update({ size: s === DEFAULT_PAGE_SIZE ? null : String(s), page: null })}
            />
          </>
        )}
      </QueryState>

      <JobDetailsDialog jobId={jobId} initial={openJob} storeNameOf={storeNameOf} onClose={() => update({ job: null })} />
    </>
  );
}
