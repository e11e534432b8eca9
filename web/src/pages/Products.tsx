import { CubeIcon, ExclamationTriangleIcon, InfoCircledIcon, LightningBoltIcon, MagnifyingGlassIcon, StarFilledIcon } from '@radix-ui/react-icons';
import {
  Badge,
  Box,
  Button,
  Callout,
  Card,
  Checkbox,
  Dialog,
  Flex,
  Grid,
  Heading,
  Inset,
  Link,
  Select,
  Skeleton,
  Table,
  Text,
  TextField,
  VisuallyHidden,
} from '@radix-ui/themes';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import {
  aiSuggestionsQuery,
  createImport,
  estimatePrice,
  PAGE_SIZE,
  productPreviewQuery,
  productSearchQuery,
  SOURCES,
  sourceLabel,
  type ProductHit,
  type ProductPreview,
  type SupplierSource,
} from '../api/products';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState } from '../components/States';
import { formatMoney, formatNumber } from '../lib/format';
import './products.css';

function shippingText(cost: number | null | undefined, days: number | null | undefined, currency: string) {
  if (cost === null || cost === undefined) return days ? `Ships in about ${days} days` : 'Shipping quoted at checkout';
  const price = cost === 0 ? 'Free shipping' : `Shipping ${formatMoney(cost, currency)}`;
  return days ? `${price} · ${days} days` : price;
}

const isSource = (v: string | null): v is SupplierSource => SOURCES.some((s) => s.value === v);

function DemoBadge() {
  return (
    <Badge color="amber" variant="soft">
      Demo catalogue
    </Badge>
  );
}

/** Why results are invented, and what makes them real. */
function DemoNotice({ source }: { source: SupplierSource }) {
  return (
    <Callout.Root color="amber" size="1">
      <Callout.Icon>
        <InfoCircledIcon />
      </Callout.Icon>
      <Callout.Text>
        {source === 'spocket' ? (
          <>Spocket has no public API, so these are demo products for trying SourcePilot out. Import real Spocket products with Spocket’s own app.</>
        ) : (
          <>
            These results come from the demo catalogue, not from {sourceLabel(source)}.{' '}
            <Link asChild weight="medium">
              <RouterLink to="/suppliers">
              Connect {/^[AEIOU]/.test(sourceLabel(source)) ? 'an' : 'a'} {sourceLabel(source)} account
            </RouterLink>
            </Link>{' '}
            to search the live catalogue.
          </>
        )}
      </Callout.Text>
    </Callout.Root>
  );
}

function ProductCard({ hit, onOpen }: { hit: ProductHit; onOpen: () => void }) {
  return (
    <Card asChild size="1" className="product-card">
      <button type="button" onClick={onOpen} aria-label={`Preview ${hit.title}`}>
        <Inset clip="padding-box" side="top" pb="current">
          {hit.images[0] ? <img className="product-thumb" src={hit.images[0]} alt="" loading="lazy" /> : <div className="product-thumb" />}
        </Inset>
        <Flex direction="column" gap="1">
          <Text as="p" size="2" weight="medium" className="clamp-2">
            {hit.title}
          </Text>
          <Flex align="baseline" justify="between" gap="2" wrap="wrap">
            <Text size="4" weight="bold">
              {formatMoney(hit.price, hit.currency)}
            </Text>
            {hit.mode === 'demo' && <DemoBadge />}
          </Flex>
          <Flex gap="2" align="center" wrap="wrap">
            {hit.rating !== null && (
              <Text size="1" color="gray">
                <StarFilledIcon style={{ color: 'var(--amber-9)', verticalAlign: '-2px' }} aria-hidden /> {hit.rating.toFixed(1)}
                <VisuallyHidden> out of 5</VisuallyHidden>
              </Text>
            )}
            {hit.order_count !== null && (
              <Text size="1" color="gray">
                {formatNumber(hit.order_count)} orders
              </Text>
            )}
          </Flex>
          <Text size="1" color="gray">
            {shippingText(hit.shipping_cost, hit.shipping_days, hit.currency)}
          </Text>
        </Flex>
      </button>
    </Card>
  );
}

function ResultSkeleton() {
  return (
    <Grid columns={{ initial: '2', md: '3', lg: '4' }} gap={{ initial: '3', sm: '4' }} aria-busy="true" aria-label="Loading products">
      {Array.from({ length: 8 }, (_, i) => (
        <Card key={i} size="1">
          <Flex direction="column" gap="2">
            <Skeleton style={{ aspectRatio: '1 / 1', width: '100%' }} />
            <Skeleton height="16px" />
            <Skeleton height="16px" width="60%" />
          </Flex>
        </Card>
      ))}
    </Grid>
  );
}

function Gallery({ images, title }: { images: string[]; title: string }) {
  const [index, setIndex] = useState(0);
  const current = images[Math.min(index, images.length - 1)];
  if (!current) return <div className="gallery-main" aria-label="No images" />;
  return (
    <Flex direction="column" gap="2">
      <img className="gallery-main" src={current} alt={`${title}, image ${index + 1} of ${images.length}`} />
      {images.length > 1 && (
        <Flex gap="2" wrap="wrap" role="group" aria-label="Images">
          {images.map((src, i) => (
            <button key={i} type="button" className="gallery-thumb" aria-current={i === index} aria-label={`Show image ${i + 1}`} onClick={() => setIndex(i)}>
              <img src={src} alt="" />
            </button>
          ))}
        </Flex>
      )}
    </Flex>
  );
}

const MAX_VARIANT_ROWS = 60;

function VariantsTable({ product }: { product: ProductPreview }) {
  const names = product.variants.map((v) => v.name);
  const rows = product.skus.slice(0, MAX_VARIANT_ROWS);
  return (
    <Box className="variants-scroll">
      <Table.Root size="1" variant="surface" aria-label="Variants">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>
              <VisuallyHidden>Image</VisuallyHidden>
            </Table.ColumnHeaderCell>
            {names.map((n) => (
              <Table.ColumnHeaderCell key={n}>{n}</Table.ColumnHeaderCell>
            ))}
            <Table.ColumnHeaderCell>SKU</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Price</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Stock</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {rows.map((v) => (
            <Table.Row key={v.key} align="center">
              <Table.Cell>{v.image ? <img className="variant-swatch" src={v.image} alt="" /> : null}</Table.Cell>
              {names.map((n) => (
                <Table.Cell key={n}>{(v.options as Record<string, string>)[n] ?? '—'}</Table.Cell>
              ))}
              <Table.Cell>
                <Text size="1" color="gray">
                  {v.sku ?? '—'}
                </Text>
              </Table.Cell>
              <Table.Cell justify="end">
                {formatMoney(v.price, product.currency)}
                {v.compare_at !== null && (
                  <Text as="div" size="1" color="gray" style={{ textDecoration: 'line-through' }}>
                    {formatMoney(v.compare_at, product.currency)}
                  </Text>
                )}
              </Table.Cell>
              <Table.Cell justify="end">
                {v.stock === null ? '—' : v.stock === 0 ? <Badge color="red">Out of stock</Badge> : formatNumber(v.stock)}
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      {product.skus.length > rows.length && (
        <Text as="p" size="1" color="gray" mt="2">
          and {product.skus.length - rows.length} more variants
        </Text>
      )}
    </Box>
  );
}

function ImportForm({ product }: { product: ProductPreview }) {
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

function PreviewBody({ url }: { url: string }) {
  const preview = useQuery(productPreviewQuery(url));
  if (preview.isPending) {
    return (
      <Flex direction="column" gap="3" aria-busy="true" aria-label="Loading preview">
        <Dialog.Title>Loading product…</Dialog.Title>
        <Skeleton height="240px" />
        <Skeleton height="20px" />
        <Skeleton height="20px" width="60%" />
      </Flex>
    );
  }
  if (preview.isError) {
    return (
      <Flex direction="column" gap="3">
        <Dialog.Title>Could not preview this product</Dialog.Title>
        <ErrorState title="The preview failed" error={preview.error} onRetry={() => void preview.refetch()} />
        <Text size="1" color="gray" style={{ wordBreak: 'break-all' }}>
          {url}
        </Text>
      </Flex>
    );
  }
  const p = preview.data;
  return (
    <Flex direction="column" gap="4">
      <Flex direction={{ initial: 'column', sm: 'row' }} gap="5">
        <Box width={{ initial: '100%', sm: '300px' }} flexShrink="0">
          <Gallery images={p.images} title={p.title} />
        </Box>
        <Flex direction="column" gap="2" minWidth="0">
          <Flex gap="2" wrap="wrap">
            <Badge variant="surface">{sourceLabel(p.source)}</Badge>
            {p.mode === 'demo' ? <DemoBadge /> : <Badge color="green">Live</Badge>}
          </Flex>
          <Dialog.Title mb="0">{p.title}</Dialog.Title>
          <Text size="6" weight="bold">
            {formatMoney(p.price, p.currency)}
          </Text>
          <Flex direction="column" gap="1">
            {p.supplier_name && (
              <Text size="2" color="gray">
                Supplier: {p.supplier_name}
              </Text>
            )}
            <Text size="2" color="gray">
              {p.rating !== null ? `Rated ${p.rating.toFixed(1)} / 5` : 'No rating'}
              {p.order_count !== null ? ` · ${formatNumber(p.order_count)} orders` : ''}
            </Text>
            <Text size="2" color="gray">
              {shippingText(p.shipping_info?.cost, p.shipping_info?.estimated_days, p.currency)}
            </Text>
            {p.variants.map((o) => (
              <Text key={o.name} size="2" color="gray">
                {o.name}: {o.options.join(', ')}
              </Text>
            ))}
          </Flex>
          <Link href={p.source_url} target="_blank" rel="noreferrer noopener" size="2">
            Open on {sourceLabel(p.source)}
          </Link>
        </Flex>
      </Flex>
      {p.skus.length > 0 && <VariantsTable product={p} />}
      <Card size="2">
        <ImportForm product={p} />
      </Card>
    </Flex>
  );
}

function PreviewDialog({ url, onClose }: { url: string | null; onClose: () => void }) {
  return (
    <Dialog.Root open={url !== null} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Content maxWidth="860px" aria-describedby={undefined}>
        {url && <PreviewBody url={url} />}
        <Flex justify="end" mt="4">
          <Dialog.Close>
            <Button variant="soft" color="gray">
              Close
            </Button>
          </Dialog.Close>
        </Flex>
      </Dialog.Content>
    </Dialog.Root>
  );
}

function UrlPreviewForm({ onPreview }: { onPreview: (url: string) => void }) {
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  function submit(event: FormEvent) {
    event.preventDefault();
    const value = url.trim();
    if (!value) return setError('Paste a product link from AliExpress, CJ Dropshipping or Spocket.');
    setError(null);
    onPreview(value);
  }
  return (
    <form onSubmit={submit} noValidate>
      <Flex direction="column" gap="1">
        <Text as="label" htmlFor="product-url" size="2" weight="medium">
          Preview a product URL
        </Text>
        <Flex gap="2" direction={{ initial: 'column', sm: 'row' }}>
          <TextField.Root
            id="product-url"
            size="3"
            placeholder="https://www.aliexpress.com/item/1005006123456789.html"
            value={url}
            maxLength={2000}
            onChange={(e) => setUrl(e.target.value)}
            style={{ flexGrow: 1 }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'product-url-error' : undefined}
          />
          <Button type="submit" size="3" variant="soft">
            Preview
          </Button>
        </Flex>
        {error && (
          <Text id="product-url-error" size="1" color="red">
            {error}
          </Text>
        )}
      </Flex>
    </form>
  );
}

function SearchForm({ q, source, onSearch }: { q: string; source: SupplierSource; onSearch: (q: string, source: SupplierSource) => void }) {
  const [text, setText] = useState(q);
  const [from, setFrom] = useState<SupplierSource>(source);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (text.trim()) onSearch(text.trim().slice(0, 500), from);
  }
  return (
    <form onSubmit={submit} role="search" aria-label="Search supplier products">
      <Flex gap="2" direction={{ initial: 'column', sm: 'row' }} align={{ initial: 'stretch', sm: 'end' }}>
        <Flex direction="column" gap="1">
          <Text as="label" size="2" weight="medium" id="source-label">
            Supplier
          </Text>
          <Select.Root value={from} onValueChange={(v) => isSource(v) && setFrom(v)} size="3">
            <Select.Trigger aria-labelledby="source-label" style={{ minWidth: 170 }} />
            <Select.Content>
              {SOURCES.map((s) => (
                <Select.Item key={s.value} value={s.value}>
                  {s.label}
                </Select.Item>
              ))}
            </Select.Content>
          </Select.Root>
        </Flex>
        <Flex direction="column" gap="1" flexGrow="1">
          <Text as="label" htmlFor="product-search" size="2" weight="medium">
            Search products
          </Text>
          <TextField.Root id="product-search" size="3" type="search" placeholder="e.g. wireless earbuds" value={text} maxLength={500} onChange={(e) => setText(e.target.value)}>
            <TextField.Slot>
              <MagnifyingGlassIcon />
            </TextField.Slot>
          </TextField.Root>
        </Flex>
        <Button type="submit" size="3" disabled={!text.trim()}>
          Search
        </Button>
      </Flex>
    </form>
  );
}

function Suggestions({ onSearch }: { onSearch: (q: string) => void }) {
  const ai = useQuery(aiSuggestionsQuery);
  // No gateway configured: the feature is simply not there.
  if (ai.isError && ai.error instanceof ApiError && ai.error.status === 503) return null;
  return (
    <Card size="2" asChild>
      <section aria-label="Sourcing ideas">
        <Flex direction="column" gap="3">
          <Flex align="center" gap="2">
            <LightningBoltIcon />
            <Heading as="h2" size="3">
              Sourcing ideas
            </Heading>
          </Flex>
          {ai.isPending ? (
            <Flex direction="column" gap="2" aria-busy="true" aria-label="Loading ideas">
              <Skeleton height="16px" />
              <Skeleton height="16px" width="70%" />
            </Flex>
          ) : ai.isError ? (
            <Text size="2" color="gray">
              Ideas are unavailable right now: {errorMessage(ai.error)}
            </Text>
          ) : (
            <Flex direction="column" gap="3">
              {ai.data.suggestions.map((s, i) =>
                typeof s === 'string' ? (
                  <Text key={i} size="2">
                    {s}
                  </Text>
                ) : (
                  <SuggestionRow key={i} item={s as { title: string; description: string; priority: string }} onSearch={onSearch} />
                ),
              )}
            </Flex>
          )}
        </Flex>
      </section>
    </Card>
  );
}

function SuggestionRow({ item, onSearch }: { item: { title: string; description: string; priority: string }; onSearch: (q: string) => void }) {
  const color = item.priority === 'high' ? 'red' : item.priority === 'low' ? 'gray' : 'blue';
  return (
    <Flex direction="column" gap="1">
      <Flex gap="2" align="center" wrap="wrap">
        <Link asChild size="2" weight="medium">
          <button type="button" onClick={() => onSearch(item.title)} style={{ background: 'none', border: 0, padding: 0, cursor: 'pointer', textAlign: 'left' }}>
            {item.title}
          </button>
        </Link>
        <Badge color={color} variant="soft" size="1">
          {item.priority}
        </Badge>
      </Flex>
      <Text size="1" color="gray">
        {item.description}
      </Text>
    </Flex>
  );
}

function Results({ q, source, page, onPage, onOpen }: { q: string; source: SupplierSource; page: number; onPage: (page: number) => void; onOpen: (url: string) => void }) {
  const search = useQuery(productSearchQuery(q, source, page));
  if (search.isPending) return <ResultSkeleton />;
  if (search.isError) return <ErrorState title="The search failed" error={search.error} onRetry={() => void search.refetch()} />;
  const { products, total } = search.data;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const demo = products.some((p) => p.mode === 'demo') || (products.length === 0 && source === 'spocket');
  return (
    <Flex direction="column" gap="4" aria-busy={search.isFetching}>
      <Flex justify="between" align="center" gap="3" wrap="wrap">
        <Text as="p" size="2" color="gray" role="status">
          {formatNumber(total)} {total === 1 ? 'product' : 'products'} for “{q}” on {sourceLabel(source)}
        </Text>
        {demo && <DemoBadge />}
      </Flex>
      {demo && <DemoNotice source={source} />}
      {products.length === 0 ? (
        <EmptyState icon={<MagnifyingGlassIcon />} title={total > 0 ? 'No more products' : 'No products found'}>
          {total > 0 ? 'This page is past the last result.' : 'Try other words, or another supplier.'}
        </EmptyState>
      ) : (
        <Grid columns={{ initial: '2', md: '3', lg: '4' }} gap={{ initial: '3', sm: '4' }}>
          {products.map((hit) => (
            <ProductCard key={`${hit.source}:${hit.source_product_id}`} hit={hit} onOpen={() => hit.source_url && onOpen(hit.source_url)} />
          ))}
        </Grid>
      )}
      <Flex justify="center" align="center" gap="3" asChild>
        <nav aria-label="Pagination">
          <Button variant="soft" disabled={page <= 1} onClick={() => onPage(page - 1)}>
            Previous
          </Button>
          <Text size="2" aria-live="polite">
            Page {page} of {pages}
          </Text>
          <Button variant="soft" disabled={page >= pages} onClick={() => onPage(page + 1)}>
            Next
          </Button>
        </nav>
      </Flex>
    </Flex>
  );
}

export default function Products() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const sourceParam = params.get('source');
  const source: SupplierSource = isSource(sourceParam) ? sourceParam : 'aliexpress';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);

  const search = (nextQ: string, nextSource: SupplierSource = source) => setParams({ q: nextQ, source: nextSource, page: '1' });
  const goTo = (nextPage: number) => {
    setParams({ q, source, page: String(nextPage) });
    window.scrollTo({ top: 0 });
  };

  return (
    <>
      <PageHeader title="Products" description="Search supplier catalogues and preview products, variants and shipping before you import them." />
      <Flex direction="column" gap="5">
        <Card size="3">
          <Flex direction="column" gap="4">
            {/* Keyed so the form shows the search in the address when it changes (back/forward). */}
            <SearchForm key={`${source}:${q}`} q={q} source={source} onSearch={search} />
            <UrlPreviewForm onPreview={setPreviewUrl} />
          </Flex>
        </Card>
        <Suggestions onSearch={(text) => search(text)} />
        {q ? (
          <Results q={q} source={source} page={page} onPage={goTo} onOpen={setPreviewUrl} />
        ) : (
          <EmptyState icon={<CubeIcon />} title="Search a supplier catalogue">
            Look up products on AliExpress, CJ Dropshipping or Spocket, or paste a product link to preview its variants, prices and shipping.
          </EmptyState>
        )}
      </Flex>
      <PreviewDialog url={previewUrl} onClose={() => setPreviewUrl(null)} />
    </>
  );
}
