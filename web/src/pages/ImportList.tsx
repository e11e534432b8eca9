import { ListBulletIcon, MagnifyingGlassIcon } from '@radix-ui/react-icons';
import { Badge, Button, Card, Checkbox, Dialog, Flex, Select, Table, Text, TextField } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link as RouterLink } from 'react-router';
import { MAX_BULK_ITEMS } from '../../../worker/shared/import-list';
import { importListApi, importListQuery, importListKeys, type ImportListItem, type RepricePreview } from '../api/import-list';
import { connectionsQuery } from '../api/stores';
import { PHONE_QUERY, useMediaQuery } from '../app/useMediaQuery';
import { ItemEditor } from '../components/import-list/ItemEditor';
import { ItemStatusBadge } from '../components/import-list/ItemStatus';
import { ReviewDefault } from '../components/import-list/ReviewDefault';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, QueryState, SkeletonLines } from '../components/States';
import { formatMoney, formatPercentPoints } from '../lib/format';

const ALL = '__all';
const DEFAULT_STORE = '__default';
const PAGE_SIZE = 50;

function priceRange(item: ImportListItem) {
  const sold = item.product.variants.filter((v) => v.selected);
  if (!sold.length) return '—';
  const lo = Math.min(...sold.map((v) => v.price));
  const hi = Math.max(...sold.map((v) => v.price));
  return lo === hi ? formatMoney(lo, item.product.currency) : `${formatMoney(lo, item.product.currency)} – ${formatMoney(hi, item.product.currency)}`;
}

function Thumb({ item }: { item: ImportListItem }) {
  const src = item.product.images[0] ?? item.product.supplier_images[0];
  return src ? <img src={src} alt="" width={48} height={48} style={{ objectFit: 'cover', borderRadius: 6, flexShrink: 0 }} /> : <span style={{ width: 48, height: 48 }} />;
}

function RepriceDialog({ ids, onClose }: { ids: string[]; onClose: () => void }) {
  const client = useQueryClient();
  const [markup, setMarkup] = useState('50');
  const [roundTo, setRoundTo] = useState('0.99');
  const rule = () => ({ markup_percent: Number(markup) || 0, ...(roundTo.trim() ? { round_to: Number(roundTo) } : {}) });
  const preview = useMutation({ mutationFn: () => importListApi.reprice({ item_ids: ids, rule: rule(), dry_run: true }) });
  const apply = useMutation({
    mutationFn: () => importListApi.reprice({ item_ids: ids, rule: rule(), dry_run: false }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: importListKeys.all });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    preview.mutate();
  };
  return (
    <Dialog.Root open onOpenChange={(o) => !o && onClose()}>
      <Dialog.Content maxWidth="720px" aria-describedby={undefined}>
        <Dialog.Title>Re-price {ids.length} item{ids.length > 1 ? 's' : ''}</Dialog.Title>
        <form onSubmit={submit}>
          <Flex gap="3" align="end" wrap="wrap">
            <label>
              <Text size="2">Markup (%)</Text>
              <TextField.Root inputMode="decimal" value={markup} onChange={(e) => setMarkup(e.target.value)} aria-label="Markup (%)" />
            </label>
            <label>
              <Text size="2">Price ending</Text>
              <TextField.Root inputMode="decimal" value={roundTo} onChange={(e) => setRoundTo(e.target.value)} aria-label="Price ending" />
            </label>
            <Button type="submit" variant="soft" loading={preview.isPending}>
              Preview
            </Button>
          </Flex>
        </form>
        {preview.isError && <ErrorState title="Could not preview" error={preview.error} />}
        {preview.data && <PreviewTable data={preview.data} />}
        {apply.isError && <ErrorState title="Could not re-price" error={apply.error} />}
        <Flex gap="3" justify="end" mt="4">
          <Dialog.Close>
            <Button variant="soft" color="gray">
              Cancel
            </Button>
          </Dialog.Close>
          <Button disabled={!preview.data} loading={apply.isPending} onClick={() => apply.mutate()}>
            Apply new prices
          </Button>
        </Flex>
      </Dialog.Content>
    </Dialog.Root>
  );
}

function PreviewTable({ data }: { data: RepricePreview }) {
  return (
    <div style={{ maxHeight: '45vh', overflowY: 'auto', marginTop: 12 }}>
      <Table.Root size="1" variant="surface" aria-label="Price preview">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Variant</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Cost</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Old → new price</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>New margin</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {data.items.flatMap((item) =>
            item.variants.map((v) => (
              <Table.Row key={`${item.item_id}:${v.key}`}>
                <Table.Cell>
                  <Text size="1" color="gray">
                    {item.title}
                  </Text>
                  <Text as="div" size="2">
                    {Object.values(v.options).join(' / ') || v.key}
                  </Text>
                </Table.Cell>
                <Table.Cell>{formatMoney(v.cost, item.currency)}</Table.Cell>
                <Table.Cell>
                  {formatMoney(v.old_price, item.currency)} → <strong>{formatMoney(v.new_price, item.currency)}</strong>
                </Table.Cell>
                <Table.Cell>
                  {formatMoney(v.new_margin.amount, item.currency)}
                  {v.new_margin.percent !== null ? ` (${formatPercentPoints(v.new_margin.percent)})` : ''}
                </Table.Cell>
              </Table.Row>
            )),
          )}
        </Table.Body>
      </Table.Root>
    </div>
  );
}

export default function ImportList() {
  const client = useQueryClient();
  const phone = useMediaQuery(PHONE_QUERY);
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [pushed, setPushed] = useState<string>(ALL);
  const [storeFilter, setStoreFilter] = useState<string>(ALL);
  const [selected, setSelected] = useState<string[]>([]);
  const [editing, setEditing] = useState<string | null>(null);
  const [repricing, setRepricing] = useState(false);
  const [target, setTarget] = useState<string>(DEFAULT_STORE);
  const stores = useQuery(connectionsQuery);
  const filter = { skip: 0, limit: PAGE_SIZE, q: q || undefined, pushed: pushed === ALL ? undefined : pushed === 'yes', storeId: storeFilter === ALL ? undefined : storeFilter };
  const list = useQuery(importListQuery(filter));
  const storeName = (id: string | null) => (id ? (stores.data?.items.find((s) => s.id === id)?.store_name ?? 'Removed store') : 'Default store');

  const done = () => {
    setSelected([]);
    void client.invalidateQueries({ queryKey: importListKeys.all });
    void client.invalidateQueries({ queryKey: ['imports'] });
  };
  const push = useMutation({ mutationFn: () => importListApi.push(selected, target === DEFAULT_STORE ? null : target), onSuccess: done });
  const remove = useMutation({ mutationFn: async () => Promise.all(selected.map((id) => importListApi.remove(id))), onSuccess: done });
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...new Set([...s, id])].slice(0, MAX_BULK_ITEMS) : s.filter((x) => x !== id)));
  const pushing = list.data?.items.filter((i) => i.status === 'pushing').length ?? 0;

  return (
    <>
      <PageHeader
        title="Import list"
        description="Review and edit supplier products before they reach your store, then push one or many at once."
        actions={<ReviewDefault />}
      />
      <Flex direction="column" gap="4">
        <Card>
          <Flex gap="3" wrap="wrap" align="center">
            <form
              onSubmit={(e) => {
                e.preventDefault();
                setQ(search.trim());
              }}
              style={{ flex: 1, minWidth: 200 }}
            >
              <TextField.Root placeholder="Search titles" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search the import list">
                <TextField.Slot>
                  <MagnifyingGlassIcon />
                </TextField.Slot>
              </TextField.Root>
            </form>
            <Select.Root value={pushed} onValueChange={setPushed}>
              <Select.Trigger aria-label="Filter by pushed" variant="surface" />
              <Select.Content position="popper">
                <Select.Item value={ALL}>Pushed or not</Select.Item>
                <Select.Item value="no">Not pushed</Select.Item>
                <Select.Item value="yes">Pushed</Select.Item>
              </Select.Content>
            </Select.Root>
            {(stores.data?.items.length ?? 0) > 0 && (
              <Select.Root value={storeFilter} onValueChange={setStoreFilter}>
                <Select.Trigger aria-label="Filter by target store" variant="surface" />
                <Select.Content position="popper">
                  <Select.Item value={ALL}>All target stores</Select.Item>
                  {stores.data!.items.map((s) => (
                    <Select.Item key={s.id} value={s.id}>
                      {s.store_name}
                    </Select.Item>
                  ))}
                </Select.Content>
              </Select.Root>
            )}
          </Flex>
        </Card>

        {selected.length > 0 && (
          <Card role="region" aria-label="Bulk actions">
            <Flex gap="3" align="center" wrap="wrap">
              <Text size="2" weight="medium">
                {selected.length} selected
              </Text>
              <Select.Root value={target} onValueChange={setTarget}>
                <Select.Trigger aria-label="Push to store" variant="surface" />
                <Select.Content position="popper">
                  <Select.Item value={DEFAULT_STORE}>Each item's target store</Select.Item>
                  {(stores.data?.items ?? []).map((s) => (
                    <Select.Item key={s.id} value={s.id}>
                      {s.store_name}
                    </Select.Item>
                  ))}
                </Select.Content>
              </Select.Root>
              <Button color="green" loading={push.isPending} onClick={() => push.mutate()}>
                Push {selected.length}
              </Button>
              <Button variant="soft" onClick={() => setRepricing(true)}>
                Re-price…
              </Button>
              <Button variant="soft" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
                Remove
              </Button>
              <Button variant="ghost" color="gray" onClick={() => setSelected([])}>
                Clear
              </Button>
            </Flex>
            {push.isError && <ErrorState title="Could not push" error={push.error} />}
            {remove.isError && <ErrorState title="Could not remove" error={remove.error} />}
          </Card>
        )}
        {pushing > 0 && (
          <Text size="2" color="blue" role="status">
            Pushing {pushing} item{pushing > 1 ? 's' : ''}… progress and history are on the <RouterLink to="/imports">Imports</RouterLink> page.
          </Text>
        )}

        <QueryState
          query={list}
          loading={<SkeletonLines lines={5} />}
          errorTitle="Could not load the import list"
          isEmpty={(d) => d.items.length === 0}
          empty={
            <EmptyState icon={<ListBulletIcon />} title={q || pushed !== ALL || storeFilter !== ALL ? 'No items match' : 'Your import list is empty'}>
              Import a product with “Review in the import list” (or turn on “New imports go to this list first”), and it waits here for your edits. Imports made without a store land here too.
            </EmptyState>
          }
        >
          {(data) =>
            phone ? (
              <Flex direction="column" gap="3">
                {data.items.map((item) => (
                  <Card key={item.id} data-item-id={item.id}>
                    <Flex gap="3" align="start">
                      <Checkbox checked={selected.includes(item.id)} onCheckedChange={(c) => toggle(item.id, c === true)} aria-label={`Select ${item.title}`} />
                      <Thumb item={item} />
                      <Flex direction="column" gap="1" style={{ minWidth: 0 }}>
                        <Button variant="ghost" onClick={() => setEditing(item.id)} style={{ justifyContent: 'start', textAlign: 'left' }}>
                          {item.title}
                        </Button>
                        <Flex gap="2" wrap="wrap">
                          <ItemStatusBadge item={item} />
                          <Text size="1" color="gray">
                            {priceRange(item)} · {storeName(item.store_id)}
                          </Text>
                        </Flex>
                      </Flex>
                    </Flex>
                  </Card>
                ))}
              </Flex>
            ) : (
              <Table.Root variant="surface" aria-label="Import list">
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeaderCell>
                      <Checkbox
                        aria-label="Select all"
                        checked={data.items.length > 0 && data.items.every((i) => selected.includes(i.id))}
                        onCheckedChange={(c) => setSelected(c === true ? data.items.map((i) => i.id).slice(0, MAX_BULK_ITEMS) : [])}
                      />
                    </Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Product</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Price</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Target store</Table.ColumnHeaderCell>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {data.items.map((item) => (
                    <Table.Row key={item.id} data-item-id={item.id} align="center">
                      <Table.Cell>
                        <Checkbox checked={selected.includes(item.id)} onCheckedChange={(c) => toggle(item.id, c === true)} aria-label={`Select ${item.title}`} />
                      </Table.Cell>
                      <Table.Cell>
                        <Flex gap="3" align="center">
                          <Thumb item={item} />
                          <Flex direction="column" gap="1">
                            <Button variant="ghost" onClick={() => setEditing(item.id)} style={{ justifyContent: 'start', textAlign: 'left' }}>
                              {item.title}
                            </Button>
                            <Flex gap="2">
                              <Text size="1" color="gray">
                                {item.product.variants.filter((v) => v.selected).length} variants · {item.source}
                              </Text>
                              {item.supplier_changed && (
                                <Badge color="amber" size="1">
                                  Supplier changed
                                </Badge>
                              )}
                            </Flex>
                          </Flex>
                        </Flex>
                      </Table.Cell>
                      <Table.Cell>
                        <ItemStatusBadge item={item} />
                        {item.error_message && (
                          <Text as="div" size="1" color="red">
                            {item.error_message}
                          </Text>
                        )}
                      </Table.Cell>
                      <Table.Cell>{priceRange(item)}</Table.Cell>
                      <Table.Cell>{storeName(item.pushed_store_id ?? item.store_id)}</Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table.Root>
            )
          }
        </QueryState>
      </Flex>
      {editing && <ItemEditor itemId={editing} onClose={() => setEditing(null)} />}
      {repricing && <RepriceDialog ids={selected} onClose={() => setRepricing(false)} />}
    </>
  );
}
