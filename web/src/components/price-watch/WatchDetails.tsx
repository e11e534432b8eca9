import { ExclamationTriangleIcon, ExternalLinkIcon, Pencil1Icon, PauseIcon, PlayIcon, TrashIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Callout, DataList, Dialog, Flex, Heading, Link, Skeleton, Table, Text } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { priceHistoryQuery, priceWatchKeys, type PriceWatch } from '../../api/price-watch';
import { formatChange, formatDateTime, formatMoney, formatNumber, formatRelative } from '../../lib/format';
import { alertText, changeColor, sourceLabel, STATE_META, watchState, watchTitle } from '../../lib/price-watch';
import { QueryState } from '../States';
import { DeleteWatchDialog, EditWatchDialog, usePauseResume } from './WatchDialogs';

// uPlot is loaded only when a watch's details open, so it never weighs on the first page load.
const PriceChart = lazy(() => import('./PriceChart'));

function ChartSkeleton() {
  return <Skeleton height="240px" width="100%" aria-label="Loading the price chart" />;
}

export function ChangeText({ pct }: { pct: number | null }) {
  if (pct === null) return <Text color="gray">—</Text>;
  const arrow = pct > 0 ? '▲' : pct < 0 ? '▼' : '';
  return (
    <Text color={changeColor(pct)} weight="medium" className="tabular nowrap">
      {arrow && <span aria-hidden="true">{arrow} </span>}
      {formatChange(pct)}
    </Text>
  );
}

export function StateBadge({ watch }: { watch: PriceWatch }) {
  const meta = STATE_META[watchState(watch)];
  return (
    <Badge color={meta.color} variant="soft" title={watch.last_error ?? undefined}>
      {meta.label}
    </Badge>
  );
}

function WatchAlerts({ watchId }: { watchId: string }) {
  const alerts = useQuery({
    queryKey: [...priceWatchKeys.alerts, watchId],
    queryFn: () => unwrap(api.alerts.$get({ query: { watch_id: watchId, limit: '10' } })).then((r) => r.items),
  });
  return (
    <QueryState
      query={alerts}
      loading={<Skeleton height="40px" />}
      errorTitle="Could not load the alerts"
      isEmpty={(data) => data.length === 0}
      empty={
        <Text size="2" color="gray">
          No alerts yet for this product.
        </Text>
      }
    >
      {(data) => (
        <Flex asChild direction="column" gap="2">
          <ul aria-label="Alerts for this watch">
            {data.map((a) => (
              <li key={a.id}>
                <Text size="2">{alertText(a)}</Text>{' '}
                <Text size="1" color="gray">
                  · {formatDateTime(a.created_at)}
                </Text>
              </li>
            ))}
          </ul>
        </Flex>
      )}
    </QueryState>
  );
}

/** The details of one watch: figures, the price history chart and table, its alerts and actions. */
export function WatchDetailsDialog({ watch, storeName, onClose }: { watch: PriceWatch | null; storeName: (id: string | null) => string; onClose: () => void }) {
  return (
    <Dialog.Root open={!!watch} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Content maxWidth="760px" aria-describedby={undefined}>{watch && <Details watch={watch} storeName={storeName} onClose={onClose} />}</Dialog.Content>
    </Dialog.Root>
  );
}

function Details({ watch, storeName, onClose }: { watch: PriceWatch; storeName: (id: string | null) => string; onClose: () => void }) {
  const history = useQuery(priceHistoryQuery(watch.id));
  const pause = usePauseResume();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);

  return (
    <>
      <Flex justify="between" align="start" gap="3" mb="3">
        <Box minWidth="0">
          <Dialog.Title mb="1" className="break-words">
            {watchTitle(watch)}
          </Dialog.Title>
          {watch.product_url && (
            <Link href={watch.product_url} target="_blank" rel="noreferrer noopener" size="2" className="break-all">
              {watch.product_url} <ExternalLinkIcon aria-hidden="true" />
            </Link>
          )}
        </Box>
        <StateBadge watch={watch} />
      </Flex>

      {watch.last_error && (
        <Callout.Root color="red" mb="3">
          <Callout.Icon>
            <ExclamationTriangleIcon />
          </Callout.Icon>
          <Callout.Text>{watch.last_error}</Callout.Text>
        </Callout.Root>
      )}

      <DataList.Root size="2" orientation={{ initial: 'vertical', sm: 'horizontal' }} mb="4" className="watch-facts">
        <DataList.Item>
          <DataList.Label minWidth="140px">Current price</DataList.Label>
          <DataList.Value>
            <Flex gap="2" align="center">
              <Text weight="bold" className="tabular">
                {formatMoney(watch.current_price, watch.currency)}
              </Text>
              <ChangeText pct={watch.change_percent} />
            </Flex>
          </DataList.Value>
        </DataList.Item>
        <DataList.Item>
          <DataList.Label minWidth="140px">Previous price</DataList.Label>
          <DataList.Value className="tabular">{formatMoney(watch.last_price, watch.currency)}</DataList.Value>
        </DataList.Item>
        <DataList.Item>
          <DataList.Label minWidth="140px">Alert threshold</DataList.Label>
          <DataList.Value>{formatNumber(watch.threshold_percent)} %</DataList.Value>
        </DataList.Item>
        <DataList.Item>
          <DataList.Label minWidth="140px">Stock</DataList.Label>
          <DataList.Value>{watch.last_stock === null ? '—' : watch.last_stock === 0 ? <Badge color="red">Out of stock</Badge> : `${formatNumber(watch.last_stock)} units`}</DataList.Value>
        </DataList.Item>
        <DataList.Item>
          <DataList.Label minWidth="140px">Last checked</DataList.Label>
          <DataList.Value>{watch.last_checked_at ? formatDateTime(watch.last_checked_at) : 'Not yet'}</DataList.Value>
        </DataList.Item>
        <DataList.Item>
          <DataList.Label minWidth="140px">Next check</DataList.Label>
          <DataList.Value>{watch.is_active ? formatRelative(watch.next_check_at) : 'Paused'}</DataList.Value>
        </DataList.Item>
        <DataList.Item>
          <DataList.Label minWidth="140px">Supplier · store</DataList.Label>
          <DataList.Value>
            {sourceLabel(watch.source)} · {storeName(watch.store_id)}
          </DataList.Value>
        </DataList.Item>
        <DataList.Item>
          <DataList.Label minWidth="140px">Auto-reprice</DataList.Label>
          <DataList.Value>{watch.auto_reprice ? <Badge color="green">On</Badge> : 'Off'}</DataList.Value>
        </DataList.Item>
      </DataList.Root>

      <Heading as="h3" size="3" mb="2">
        Price history
      </Heading>
      <QueryState
        query={history}
        loading={<ChartSkeleton />}
        errorTitle="Could not load the price history"
        isEmpty={(points) => points.length === 0}
        empty={
          <Text as="p" size="2" color="gray">
            No prices yet. Use “Sync now” to take the first reading.
          </Text>
        }
      >
        {(points) => (
          <>
            <Box aria-label={`Price history chart, ${points.length} prices`} role="img">
              <Suspense fallback={<ChartSkeleton />}>
                <PriceChart points={points} currency={watch.currency} />
              </Suspense>
            </Box>
            <details className="history-table">
              <summary>
                <Text size="2">Show the last {Math.min(points.length, 20)} readings as a table</Text>
              </summary>
              <Table.Root size="1" mt="2">
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeaderCell>Checked</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell justify="end">Price</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell justify="end">Stock</Table.ColumnHeaderCell>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {points
                    .slice(-20)
                    .reverse()
                    .map((p) => (
                      <Table.Row key={p.observed_at}>
                        <Table.Cell>{formatDateTime(p.observed_at)}</Table.Cell>
                        <Table.Cell justify="end" className="tabular">
                          {formatMoney(p.price, p.currency)}
                        </Table.Cell>
                        <Table.Cell justify="end" className="tabular">
                          {p.stock === null ? '—' : formatNumber(p.stock)}
                        </Table.Cell>
                      </Table.Row>
                    ))}
                </Table.Body>
              </Table.Root>
            </details>
          </>
        )}
      </QueryState>

      <Heading as="h3" size="3" mt="4" mb="2">
        Alerts
      </Heading>
      <WatchAlerts watchId={watch.id} />

      {pause.isError && (
        <Box mt="3">
          <Callout.Root color="amber" role="alert">
            <Callout.Text>{pause.error.message}</Callout.Text>
          </Callout.Root>
        </Box>
      )}
      <Flex gap="3" mt="5" justify="between" wrap="wrap">
        <Flex gap="2" wrap="wrap">
          <Button variant="soft" color="gray" loading={pause.isPending} onClick={() => pause.mutate(watch)}>
            {watch.is_active ? <PauseIcon /> : <PlayIcon />} {watch.is_active ? 'Pause' : 'Resume'}
          </Button>
          <Button variant="soft" color="gray" onClick={() => setEditing(true)}>
            <Pencil1Icon /> Edit
          </Button>
          <Button variant="soft" color="red" onClick={() => setDeleting(true)}>
            <TrashIcon /> Delete
          </Button>
        </Flex>
        <Dialog.Close>
          <Button>Close</Button>
        </Dialog.Close>
      </Flex>
      {editing && <EditWatchDialog watch={watch} open onOpenChange={setEditing} />}
      {deleting && <DeleteWatchDialog watch={watch} open onOpenChange={setDeleting} onDeleted={onClose} />}
    </>
  );
}
