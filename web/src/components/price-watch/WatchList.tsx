import { DotsHorizontalIcon } from '@radix-ui/react-icons';
import { Box, Card, DataList, DropdownMenu, Flex, IconButton, Link, Table, Text } from '@radix-ui/themes';
import type { PriceWatch } from '../../api/price-watch';
import { formatDateTime, formatMoney, formatNumber, formatRelative } from '../../lib/format';
import { sourceLabel, watchTitle } from '../../lib/price-watch';
import { Sparkline } from './Sparkline';
import { ChangeText, StateBadge } from './WatchDetails';

export interface WatchActions {
  open: (w: PriceWatch) => void;
  toggle: (w: PriceWatch) => void;
  edit: (w: PriceWatch) => void;
  remove: (w: PriceWatch) => void;
}

function RowMenu({ watch, actions }: { watch: PriceWatch; actions: WatchActions }) {
  const name = watchTitle(watch);
  return (
    // Not modal: its items open dialogs, which take over focus themselves.
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger>
        <IconButton variant="ghost" color="gray" aria-label={`Actions for ${name}`}>
          <DotsHorizontalIcon />
        </IconButton>
      </DropdownMenu.Trigger>
      <DropdownMenu.Content align="end">
        <DropdownMenu.Item onSelect={() => actions.open(watch)}>Details and history</DropdownMenu.Item>
        <DropdownMenu.Item onSelect={() => actions.toggle(watch)}>{watch.is_active ? 'Pause' : 'Resume'}</DropdownMenu.Item>
        <DropdownMenu.Item onSelect={() => actions.edit(watch)}>Edit threshold…</DropdownMenu.Item>
        <DropdownMenu.Separator />
        <DropdownMenu.Item color="red" onSelect={() => actions.remove(watch)}>
          Delete…
        </DropdownMenu.Item>
      </DropdownMenu.Content>
    </DropdownMenu.Root>
  );
}

function ProductCell({ watch, actions }: { watch: PriceWatch; actions: WatchActions }) {
  return (
    <Box minWidth="0">
      <Link asChild weight="medium" size="2" highContrast>
        <button type="button" className="link-button ellipsis" onClick={() => actions.open(watch)} title={watch.product_url ?? undefined}>
          {watchTitle(watch)}
        </button>
      </Link>
      <Text as="div" size="1" color="gray" className="ellipsis">
        {watch.auto_reprice ? 'Auto-reprice on · ' : ''}
        {watch.last_error ? watch.last_error : `Threshold ${formatNumber(watch.threshold_percent)} %`}
      </Text>
    </Box>
  );
}

export function WatchTable({ watches, actions }: { watches: PriceWatch[]; actions: WatchActions }) {
  return (
    <Card size="1" style={{ padding: 0 }}>
      <Table.Root variant="ghost" size="2" className="watch-table">
        <caption className="visually-hidden">Price watches</caption>
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Product</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Last price</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Current price</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Change</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Trend</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Checked</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>
              <span className="visually-hidden">Actions</span>
            </Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {watches.map((w) => (
            <Table.Row key={w.id} data-watch-id={w.id} align="center" className={w.is_active ? undefined : 'watch-paused'}>
              <Table.Cell className="watch-product">
                <ProductCell watch={w} actions={actions} />
              </Table.Cell>
              <Table.Cell justify="end" className="tabular">
                <Text color="gray">{formatMoney(w.last_price, w.currency)}</Text>
              </Table.Cell>
              <Table.Cell justify="end" className="tabular">
                <Text weight="medium">{formatMoney(w.current_price, w.currency)}</Text>
              </Table.Cell>
              <Table.Cell justify="end" data-change={w.change_percent ?? ''}>
                <ChangeText pct={w.change_percent} />
              </Table.Cell>
              <Table.Cell>
                <Sparkline prices={w.recent_prices} currency={w.currency} />
              </Table.Cell>
              <Table.Cell>
                <StateBadge watch={w} />
              </Table.Cell>
              <Table.Cell>
                <Text size="2" color="gray" className="nowrap" title={w.last_checked_at ? formatDateTime(w.last_checked_at) : undefined}>
                  {w.last_checked_at ? formatRelative(w.last_checked_at) : 'Never'}
                </Text>
              </Table.Cell>
              <Table.Cell justify="end">
                <RowMenu watch={w} actions={actions} />
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
    </Card>
  );
}

/** Phones get one card per watch instead of an eight-column table. */
export function WatchCards({ watches, actions }: { watches: PriceWatch[]; actions: WatchActions }) {
  return (
    <Flex asChild direction="column" gap="3">
      <ul aria-label="Price watches">
        {watches.map((w) => (
          <li key={w.id} data-watch-id={w.id}>
            <Card size="2" className={w.is_active ? undefined : 'watch-paused'}>
              <Flex justify="between" align="start" gap="2">
                <ProductCell watch={w} actions={actions} />
                <RowMenu watch={w} actions={actions} />
              </Flex>
              <Flex justify="between" align="end" mt="3" gap="3">
                {w.current_price === null ? (
                  <Text size="2" color="gray">
                    No price yet
                  </Text>
                ) : (
                  <Box>
                    <Text as="div" size="5" weight="bold" className="tabular">
                      {formatMoney(w.current_price, w.currency)}
                    </Text>
                    <Flex gap="2" align="center">
                      <ChangeText pct={w.change_percent} />
                      {w.last_price !== null && (
                        <Text size="1" color="gray">
                          was {formatMoney(w.last_price, w.currency)}
                        </Text>
                      )}
                    </Flex>
                  </Box>
                )}
                <Sparkline prices={w.recent_prices} currency={w.currency} width={110} height={32} />
              </Flex>
              <DataList.Root size="1" mt="3">
                <DataList.Item>
                  <DataList.Label minWidth="88px">Status</DataList.Label>
                  <DataList.Value>
                    <StateBadge watch={w} />
                  </DataList.Value>
                </DataList.Item>
                <DataList.Item>
                  <DataList.Label minWidth="88px">Checked</DataList.Label>
                  <DataList.Value>{w.last_checked_at ? formatRelative(w.last_checked_at) : 'Never'}</DataList.Value>
                </DataList.Item>
                <DataList.Item>
                  <DataList.Label minWidth="88px">Supplier</DataList.Label>
                  <DataList.Value>{sourceLabel(w.source)}</DataList.Value>
                </DataList.Item>
              </DataList.Root>
            </Card>
          </li>
        ))}
      </ul>
    </Flex>
  );
}
