import { CheckCircledIcon, ExclamationTriangleIcon, EyeOpenIcon, UpdateIcon } from '@radix-ui/react-icons';
import { Box, Button, Callout, Card, Flex, Grid, Skeleton, Text } from '@radix-ui/themes';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import { storeConnectionsQuery } from '../api/imports';
import { priceWatchApi, priceWatchesQuery, type PriceWatch as Watch, type SyncResult } from '../api/price-watch';
import { meQuery } from '../api/queries';
import { PHONE_QUERY, useMediaQuery } from '../app/useMediaQuery';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryState } from '../components/States';
import { AlertSettingsCard, RecentAlerts } from '../components/price-watch/AlertsPanel';
import { AddWatchButton, AddWatchDialog, DeleteWatchDialog, EditWatchDialog, useRefreshWatches, usePauseResume } from '../components/price-watch/WatchDialogs';
import { WatchDetailsDialog } from '../components/price-watch/WatchDetails';
import { WatchCards, WatchTable, type WatchActions } from '../components/price-watch/WatchList';
import '../components/price-watch/price-watch.css';
import { formatDateTime, formatNumber, formatRelative } from '../lib/format';
import { summarize, type WatchSummary } from '../lib/price-watch';

/** How long the list keeps refreshing after a sync queued watches beyond the first 100. */
const QUEUED_POLL_MS = 60_000;

function SummaryCards({ summary }: { summary: WatchSummary | null }) {
  const cards = [
    { label: 'Watched', value: summary ? formatNumber(summary.watched) : null, note: summary && summary.total > summary.watched ? `${formatNumber(summary.total - summary.watched)} paused` : 'active watches', accent: 'var(--accent-9)' },
    { label: 'Changed', value: summary ? formatNumber(summary.changed) : null, note: 'beyond their threshold', accent: 'var(--amber-9)' },
    { label: 'Errors', value: summary ? formatNumber(summary.errors) : null, note: 'need attention', accent: 'var(--red-9)' },
    {
      label: 'Last sync',
      value: summary ? (summary.lastSync ? formatRelative(summary.lastSync) : 'Never') : null,
      note: summary?.lastSync ? formatDateTime(summary.lastSync) : 'no check yet',
      accent: 'var(--green-9)',
    },
  ];
  return (
    <Grid columns={{ initial: '2', sm: '4' }} gap="3" mb="5" role="group" aria-label="Price watch summary">
      {cards.map((c) => (
        <Card key={c.label} size="2" className="watch-kpi" style={{ ['--kpi-accent' as string]: c.accent }} role="group" aria-label={`${c.label}: ${c.value ?? 'loading'}`}>
          <Text as="div" size="2" color="gray" weight="medium">
            {c.label}
          </Text>
          {c.value === null ? (
            <Skeleton height="32px" width="64px" mt="1" />
          ) : (
            <Text as="div" size="7" weight="bold" className="kpi-value">
              {c.value}
            </Text>
          )}
          <Text as="div" size="1" color="gray" className="ellipsis">
            {c.note}
          </Text>
        </Card>
      ))}
    </Grid>
  );
}

/** Says which watches a plan change paused, and how they come back. */
function PlanPausedNotice({ watches, plan }: { watches: Watch[]; plan: string | undefined }) {
  const paused = watches.filter((w) => w.paused_reason === 'plan_limit').length;
  if (!paused) return null;
  return (
    <Callout.Root color="amber" role="status" mb="4" aria-label="Watches paused by your plan">
      <Callout.Icon>
        <ExclamationTriangleIcon />
      </Callout.Icon>
      <Callout.Text>
        {formatNumber(paused)} {paused === 1 ? 'watch is' : 'watches are'} paused because your {plan ? `${plan[0].toUpperCase()}${plan.slice(1)} ` : ''}plan
        allows fewer active watches (marked “Paused · plan limit”). Your oldest watches stayed active. <RouterLink to="/billing">Upgrade</RouterLink> or remove
        watches you no longer need, and the paused ones resume automatically, oldest first.
      </Callout.Text>
    </Callout.Root>
  );
}

function ListSkeleton() {
  return (
    <Card size="2" aria-busy="true" aria-label="Loading price watches">
      <Flex direction="column" gap="4">
        {Array.from({ length: 4 }, (_, i) => (
          <Flex key={i} gap="3" align="center">
            <Flex direction="column" gap="2" flexGrow="1">
              <Skeleton height="14px" width={`${60 - i * 8}%`} />
              <Skeleton height="10px" width="30%" />
            </Flex>
            <Skeleton width="96px" height="28px" />
            <Skeleton width="72px" height="22px" />
          </Flex>
        ))}
      </Flex>
    </Card>
  );
}

function SyncOutcome({ result, error }: { result: SyncResult | null; error: unknown }) {
  if (error) {
    return (
      <Callout.Root color="red" role="alert" mb="4">
        <Callout.Icon>
          <ExclamationTriangleIcon />
        </Callout.Icon>
        <Callout.Text>Sync failed: {errorMessage(error)}</Callout.Text>
      </Callout.Root>
    );
  }
  if (!result) return null;
  const plural = (n: number, one: string, many: string) => `${formatNumber(n)} ${n === 1 ? one : many}`;
  const text =
    result.total_checked === 0
      ? 'Nothing to check: no active watches.'
      : `Checked ${plural(result.total_checked, 'watch', 'watches')}: ${formatNumber(result.total_changed)} changed, ${plural(result.total_errors, 'error', 'errors')}.`;
  return (
    <Callout.Root color={result.total_errors ? 'amber' : 'green'} role="status" mb="4" aria-label="Sync result">
      <Callout.Icon>{result.total_errors ? <ExclamationTriangleIcon /> : <CheckCircledIcon />}</Callout.Icon>
      <Callout.Text>
        {text}
        {result.queued > 0 && ` ${plural(result.queued, 'more watch is', 'more watches are')} being checked in the background.`}
      </Callout.Text>
    </Callout.Root>
  );
}

export default function PriceWatch() {
  const [params, setParams] = useSearchParams();
  const phone = useMediaQuery(PHONE_QUERY);
  const [pollUntil, setPollUntil] = useState(0);
  const list = useQuery({ ...priceWatchesQuery, refetchInterval: () => (Date.now() < pollUntil ? 5_000 : false) });
  const connections = useQuery(storeConnectionsQuery);
  const me = useQuery(meQuery);
  const refresh = useRefreshWatches();
  const pause = usePauseResume();
  const [editing, setEditing] = useState<Watch | null>(null);
  const [deleting, setDeleting] = useState<Watch | null>(null);
  const [adding, setAdding] = useState(false);

  const sync = useMutation({
    mutationFn: priceWatchApi.sync,
    onSuccess: (r) => {
      if (r.queued > 0) setPollUntil(Date.now() + QUEUED_POLL_MS);
    },
    onSettled: refresh,
  });

  const openId = params.get('watch');
  const openWatch = useCallback(
    (id: string | null) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (id) next.set('watch', id);
          else next.delete('watch');
          return next;
        },
        { replace: !id },
      ),
    [setParams],
  );
  const storeName = useCallback(
    (id: string | null) => (id ? (connections.data?.items.find((s) => s.id === id)?.store_name ?? 'Removed store') : 'No store'),
    [connections.data],
  );

  const watches = list.data?.items ?? [];
  const actions: WatchActions = {
    open: (w) => openWatch(w.id),
    toggle: (w) => pause.mutate(w),
    edit: setEditing,
    remove: setDeleting,
  };
  const detail = watches.find((w) => w.id === openId) ?? null;

  return (
    <>
      <PageHeader
        title="Price Watch"
        description="Know when a supplier changes a price before it eats your margin: SourcePilot checks every watched product on a schedule, keeps its history and alerts you."
        actions={
          list.data && watches.length > 0 ? (
            <>
              <Button size="3" variant="soft" loading={sync.isPending} onClick={() => sync.mutate()}>
                <UpdateIcon /> Sync now
              </Button>
              <AddWatchButton onClick={() => setAdding(true)} />
            </>
          ) : undefined
        }
      />

      <SyncOutcome result={sync.data ?? null} error={sync.error} />
      {pause.isError && (
        <Callout.Root color={pause.error instanceof ApiError && pause.error.status === 403 ? 'amber' : 'red'} role="alert" mb="4">
          <Callout.Icon>
            <ExclamationTriangleIcon />
          </Callout.Icon>
          <Callout.Text>{errorMessage(pause.error)}</Callout.Text>
        </Callout.Root>
      )}

      <QueryState
        query={list}
        keepData
        loading={
          <>
            <SummaryCards summary={null} />
            <ListSkeleton />
          </>
        }
        errorTitle="Could not load your price watches"
        isEmpty={(data) => data.items.length === 0}
        empty={
          <EmptyState icon={<EyeOpenIcon />} title="No price watches yet" action={<AddWatchButton label="Watch your first product" onClick={() => setAdding(true)} />}>
            Paste a supplier product link, or pick a completed import. SourcePilot checks its price every hour, draws its history and alerts you when it
            moves beyond your threshold or sells out.
          </EmptyState>
        }
      >
        {() => (
          <>
            <SummaryCards summary={summarize(watches)} />
            <PlanPausedNotice watches={watches} plan={me.data?.plan} />
            {list.isError && (
              <Text as="p" size="1" color="red" role="alert" mb="2">
                Could not refresh the list; showing what was loaded before.
              </Text>
            )}
            {phone ? <WatchCards watches={watches} actions={actions} /> : <WatchTable watches={watches} actions={actions} />}
          </>
        )}
      </QueryState>

      <Grid columns={{ initial: '1', md: '2' }} gap="4" mt="6" align="start">
        <RecentAlerts onOpenWatch={(id) => openWatch(id)} />
        <Box>
          <AlertSettingsCard accountEmail={me.data?.email} />
        </Box>
      </Grid>

      <AddWatchDialog open={adding} onOpenChange={setAdding} />
      <WatchDetailsDialog watch={detail} storeName={storeName} onClose={() => openWatch(null)} />
      {editing && <EditWatchDialog watch={editing} open onOpenChange={(open) => !open && setEditing(null)} />}
      {deleting && <DeleteWatchDialog watch={deleting} open onOpenChange={(open) => !open && setDeleting(null)} />}
    </>
  );
}
