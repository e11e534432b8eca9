import { ArrowDownIcon, ArrowUpIcon, Cross2Icon, TrashIcon } from '@radix-ui/react-icons';
import { Badge, Button, Callout, Checkbox, Dialog, Flex, IconButton, Select, Table, Tabs, Text, TextArea, TextField } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { DROP_AXIS_RULE, marginOf } from '../../../../worker/shared/import-list';
import { EditConflict, importListApi, importListItemQuery, importListKeys, saveItem, type ImportListItem, type ItemEdits } from '../../api/import-list';
import { connectionsQuery } from '../../api/stores';
import { formatMoney, formatPercentPoints } from '../../lib/format';
import { ErrorState, QueryState, SkeletonLines } from '../States';
import { ItemStatusBadge } from './ItemStatus';

const DEFAULT_STORE = '__default';

/** The editor's working copy: what the form shows, turned into one PUT on save. */
interface Draft {
  title: string;
  description_html: string;
  tags: string;
  product_type: string;
  vendor: string;
  images: string[];
  storeId: string | null;
  variants: Record<string, { selected: boolean; price: string }>;
  renames: Record<string, string>;
  drops: string[];
}

function draftOf(item: ImportListItem): Draft {
  const p = item.product;
  return {
    title: p.title,
    description_html: p.description_html,
    tags: p.tags.join(', '),
    product_type: p.product_type ?? '',
    vendor: p.vendor ?? '',
    images: [...p.images],
    storeId: item.store_id,
    variants: Object.fromEntries(p.variants.map((v) => [v.key, { selected: v.selected, price: String(v.price) }])),
    renames: Object.fromEntries(p.options.map((o) => [o.name, o.name])),
    drops: [],
  };
}

/** Only what changed goes to the API (so edited_fields says what the merchant touched). */
function editsOf(item: ImportListItem, d: Draft): ItemEdits {
  const p = item.product;
  const e: ItemEdits = { version: item.version };
  if (d.title !== p.title) e.title = d.title;
  if (d.description_html !== p.description_html) e.description_html = d.description_html;
  const tags = d.tags.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.join(',') !== p.tags.join(',')) e.tags = tags;
  if (d.product_type !== (p.product_type ?? '')) e.product_type = d.product_type || null;
  if (d.vendor !== (p.vendor ?? '')) e.vendor = d.vendor || null;
  if (d.images.join('\n') !== p.images.join('\n')) e.images = d.images;
  if (d.storeId !== item.store_id) e.store_id = d.storeId;
  const variants = p.variants.flatMap((v) => {
    const w = d.variants[v.key];
    const change: NonNullable<ItemEdits['variants']>[number] = { key: v.key };
    if (w.selected !== v.selected) change.selected = w.selected;
    const price = Number(w.price);
    if (w.price.trim() !== '' && Number.isFinite(price) && price !== v.price) change.price = price;
    return Object.keys(change).length > 1 ? [change] : [];
  });
  if (variants.length) e.variants = variants;
  const renames = p.options.filter((o) => !d.drops.includes(o.name) && d.renames[o.name]?.trim() && d.renames[o.name].trim() !== o.name);
  if (renames.length) e.rename_options = renames.map((o) => ({ name: o.name, new_name: d.renames[o.name].trim() }));
  if (d.drops.length) e.drop_options = d.drops.map((name) => ({ name }));
  return e;
}

export function ItemEditor({ itemId, onClose }: { itemId: string; onClose: () => void }) {
  const query = useQuery(importListItemQuery(itemId));
  // Kept here: the form remounts on the current version a conflict brings.
  const [conflict, setConflict] = useState<string | null>(null);
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Content maxWidth="860px" aria-describedby={undefined}>
        <Dialog.Title>Edit import list item</Dialog.Title>
        <QueryState query={query} loading={<SkeletonLines lines={6} />} errorTitle="Could not load this item">
          {(item) => <EditorForm key={item.version} item={item} onClose={onClose} conflict={conflict} setConflict={setConflict} />}
        </QueryState>
      </Dialog.Content>
    </Dialog.Root>
  );
}

function EditorForm({
  item,
  onClose,
  conflict,
  setConflict,
}: {
  item: ImportListItem;
  onClose: () => void;
  conflict: string | null;
  setConflict: (c: string | null) => void;
}) {
  const client = useQueryClient();
  const stores = useQuery(connectionsQuery);
  const [draft, setDraft] = useState(() => draftOf(item));
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const p = item.product;

  const save = useMutation({
    mutationFn: () => saveItem(item.id, editsOf(item, draft)),
    onSuccess: (saved) => {
      setConflict(null);
      client.setQueryData(importListKeys.item(item.id), saved);
      void client.invalidateQueries({ queryKey: ['import-list', 'list'] });
    },
    onError: (err) => {
      if (err instanceof EditConflict) {
        setConflict(err.message);
        client.setQueryData(importListKeys.item(item.id), err.current);
      }
    },
  });
  const push = useMutation({
    mutationFn: () => importListApi.pushOne(item.id, draft.storeId),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: importListKeys.all });
      void client.invalidateQueries({ queryKey: ['imports'] });
    },
  });
  const dirty = Object.keys(editsOf(item, draft)).length > 1;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const move = (i: number, by: number) => {
    const images = [...draft.images];
    const [img] = images.splice(i, 1);
    images.splice(i + by, 0, img);
    set({ images });
  };
  const blocked = item.checks.filter((c) => !c.ok);

  return (
    <form onSubmit={submit} aria-label="Item editor">
      <Flex direction="column" gap="3">
        <Flex gap="2" align="center" wrap="wrap">
          <ItemStatusBadge item={item} />
          <Text size="1" color="gray">
            Version {item.version}
            {item.edited_fields.length ? ` · edited: ${item.edited_fields.join(', ')}` : ''}
          </Text>
          {item.supplier_changed && <Badge color="amber">Supplier data changed since import</Badge>}
        </Flex>
        {conflict && (
          <Callout.Root color="amber" role="alert">
            <Callout.Text>{conflict} The form now shows the current version.</Callout.Text>
          </Callout.Root>
        )}
        {save.isError && !(save.error instanceof EditConflict) && <ErrorState title="Could not save" error={save.error} />}
        {push.isError && <ErrorState title="Could not push" error={push.error} />}
        {blocked.map((c) => (
          <Callout.Root key={c.platform} color="orange" size="1">
            <Callout.Text>
              {c.platform === 'shopify' ? 'Shopify' : 'WooCommerce'}: {c.problems.join(' ')}
            </Callout.Text>
          </Callout.Root>
        ))}
        <Tabs.Root defaultValue="details">
          <Tabs.List>
            <Tabs.Trigger value="details">Details</Tabs.Trigger>
            <Tabs.Trigger value="images">Images ({draft.images.length})</Tabs.Trigger>
            <Tabs.Trigger value="variants">Variants ({p.variants.length})</Tabs.Trigger>
            <Tabs.Trigger value="options">Options ({p.options.length})</Tabs.Trigger>
          </Tabs.List>
          <Flex direction="column" gap="3" pt="3" style={{ maxHeight: '55vh', overflowY: 'auto' }}>
            <Tabs.Content value="details">
              <Flex direction="column" gap="3">
                <label>
                  <Text size="2" weight="medium">Title</Text>
                  <TextField.Root value={draft.title} maxLength={255} onChange={(e) => set({ title: e.target.value })} aria-label="Title" />
                </label>
                <label>
                  <Text size="2" weight="medium">Description (HTML; scripts and tracking are removed on save)</Text>
                  <TextArea rows={5} value={draft.description_html} onChange={(e) => set({ description_html: e.target.value })} aria-label="Description" />
                </label>
                <Flex gap="3" direction={{ initial: 'column', sm: 'row' }}>
                  <label style={{ flex: 1 }}>
                    <Text size="2" weight="medium">Tags (comma separated)</Text>
                    <TextField.Root value={draft.tags} onChange={(e) => set({ tags: e.target.value })} aria-label="Tags" />
                  </label>
                  <label style={{ flex: 1 }}>
                    <Text size="2" weight="medium">Product type</Text>
                    <TextField.Root value={draft.product_type} maxLength={255} onChange={(e) => set({ product_type: e.target.value })} aria-label="Product type" />
                  </label>
                  <label style={{ flex: 1 }}>
                    <Text size="2" weight="medium">Vendor</Text>
                    <TextField.Root value={draft.vendor} maxLength={255} onChange={(e) => set({ vendor: e.target.value })} aria-label="Vendor" />
                  </label>
                </Flex>
                <Flex direction="column" gap="1">
                  <Text size="2" weight="medium" id="target-store-label">
                    Target store
                  </Text>
                  <Select.Root value={draft.storeId ?? DEFAULT_STORE} onValueChange={(v) => set({ storeId: v === DEFAULT_STORE ? null : v })}>
                    <Select.Trigger aria-labelledby="target-store-label" />
                    <Select.Content position="popper">
                      <Select.Item value={DEFAULT_STORE}>Default store</Select.Item>
                      {(stores.data?.items ?? []).map((s) => (
                        <Select.Item key={s.id} value={s.id}>
                          {s.store_name}
                        </Select.Item>
                      ))}
                    </Select.Content>
                  </Select.Root>
                </Flex>
              </Flex>
            </Tabs.Content>
            <Tabs.Content value="images">
              <Flex direction="column" gap="2">
                <Text size="2" color="gray">
                  Choose the images to send, in order. The first is the main image.
                </Text>
                {p.supplier_images.map((src) => {
                  const at = draft.images.indexOf(src);
                  return (
                    <Flex key={src} gap="3" align="center" className="list-image-row">
                      <Checkbox
                        checked={at >= 0}
                        aria-label={`Use image ${p.supplier_images.indexOf(src) + 1}`}
                        onCheckedChange={(c) => set({ images: c ? [...draft.images, src] : draft.images.filter((x) => x !== src) })}
                      />
                      <img src={src} alt="" width={56} height={56} style={{ objectFit: 'cover', borderRadius: 6 }} />
                      <Text size="1" color="gray" style={{ flex: 1 }}>
                        {at >= 0 ? `#${at + 1}` : 'Not used'}
                      </Text>
                      <IconButton type="button" size="1" variant="ghost" disabled={at <= 0} aria-label="Move image up" onClick={() => move(at, -1)}>
                        <ArrowUpIcon />
                      </IconButton>
                      <IconButton type="button" size="1" variant="ghost" disabled={at < 0 || at === draft.images.length - 1} aria-label="Move image down" onClick={() => move(at, 1)}>
                        <ArrowDownIcon />
                      </IconButton>
                    </Flex>
                  );
                })}
              </Flex>
            </Tabs.Content>
            <Tabs.Content value="variants">
              <Table.Root size="1" variant="surface">
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeaderCell>Sell</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Variant</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Cost</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Price</Table.ColumnHeaderCell>
                    <Table.ColumnHeaderCell>Margin</Table.ColumnHeaderCell>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {p.variants.map((v) => {
                    const w = draft.variants[v.key];
                    const price = Number(w.price);
                    const margin = Number.isFinite(price) ? marginOf(price, v.cost) : null;
                    const label = Object.values(v.options).join(' / ') || v.sku || v.key;
                    return (
                      <Table.Row key={v.key} data-variant={v.key}>
                        <Table.Cell>
                          <Checkbox
                            checked={w.selected}
                            aria-label={`Sell ${label}`}
                            onCheckedChange={(c) => set({ variants: { ...draft.variants, [v.key]: { ...w, selected: c === true } } })}
                          />
                        </Table.Cell>
                        <Table.Cell>
                          <Text size="2">{label}</Text>
                          {v.merged_keys.length > 0 && (
                            <Text as="div" size="1" color="gray">
                              Kept over {v.merged_keys.length} other supplier variant{v.merged_keys.length > 1 ? 's' : ''}
                            </Text>
                          )}
                          {v.stock === 0 && (
                            <Badge color="red" size="1">
                              Out of stock
                            </Badge>
                          )}
                        </Table.Cell>
                        <Table.Cell>{formatMoney(v.cost, p.currency)}</Table.Cell>
                        <Table.Cell>
                          <TextField.Root
                            size="1"
                            inputMode="decimal"
                            style={{ width: 90 }}
                            value={w.price}
                            aria-label={`Price of ${label}`}
                            onChange={(e) => set({ variants: { ...draft.variants, [v.key]: { ...w, price: e.target.value } } })}
                          />
                          {v.manual_price && (
                            <Text size="1" color="gray">
                              by hand
                            </Text>
                          )}
                        </Table.Cell>
                        <Table.Cell>
                          {margin ? (
                            <Text size="2" color={margin.amount < 0 ? 'red' : undefined} aria-label={`Margin of ${label}`}>
                              {formatMoney(margin.amount, p.currency)}
                              {margin.percent !== null ? ` (${formatPercentPoints(margin.percent)})` : ''}
                            </Text>
                          ) : (
                            '—'
                          )}
                        </Table.Cell>
                      </Table.Row>
                    );
                  })}
                </Table.Body>
              </Table.Root>
            </Tabs.Content>
            <Tabs.Content value="options">
              <Flex direction="column" gap="3">
                <Text size="2" color="gray">
                  Rename an option, or drop a whole option such as “Ships From”. {DROP_AXIS_RULE}
                </Text>
                {p.options.map((o) => {
                  const dropped = draft.drops.includes(o.name);
                  return (
                    <Flex key={o.name} gap="3" align="center" wrap="wrap" data-option={o.name}>
                      <TextField.Root
                        style={{ flex: 1, minWidth: 160 }}
                        value={draft.renames[o.name] ?? o.name}
                        disabled={dropped}
                        aria-label={`Name of option ${o.name}`}
                        onChange={(e) => set({ renames: { ...draft.renames, [o.name]: e.target.value } })}
                      />
                      <Text size="1" color="gray" style={{ flex: 2 }}>
                        {o.values.join(', ')}
                      </Text>
                      <Button
                        type="button"
                        size="1"
                        variant="soft"
                        color={dropped ? 'gray' : 'red'}
                        onClick={() => set({ drops: dropped ? draft.drops.filter((x) => x !== o.name) : [...draft.drops, o.name] })}
                      >
                        {dropped ? <Cross2Icon /> : <TrashIcon />} {dropped ? `Keep ${o.name}` : `Drop ${o.name}`}
                      </Button>
                    </Flex>
                  );
                })}
                {p.dropped_options.length > 0 && (
                  <Text size="1" color="gray">
                    Dropped so far: {p.dropped_options.map((d) => d.name).join(', ')}
                  </Text>
                )}
              </Flex>
            </Tabs.Content>
          </Flex>
        </Tabs.Root>
        <Flex gap="3" justify="end" wrap="wrap" mt="2">
          <Button type="button" variant="soft" color="gray" onClick={onClose}>
            Close
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!dirty}>
            Save changes
          </Button>
          <Button
            type="button"
            variant="solid"
            color="green"
            loading={push.isPending}
            disabled={dirty || item.status === 'pushing' || blocked.length === 2}
            onClick={() => push.mutate()}
          >
            {item.pushed ? 'Push update' : 'Push to store'}
          </Button>
        </Flex>
        {dirty && (
          <Text size="1" color="gray" align="right">
            Save your changes before pushing.
          </Text>
        )}
        {push.isSuccess && (
          <Text size="1" color="green" align="right" role="status">
            Push queued: it runs in the background.
          </Text>
        )}
      </Flex>
    </form>
  );
}
