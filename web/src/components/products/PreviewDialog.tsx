import { Badge, Box, Card, Dialog, Flex, Link, Skeleton, Table, Text, VisuallyHidden } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { productPreviewQuery, sourceLabel, type ProductPreview } from '../../api/products';
import { formatMoney, formatNumber } from '../../lib/format';
import { CloseAction } from '../DialogActions';
import { ErrorState } from '../States';
import { DemoBadge } from './Demo';
import { ImportForm } from './ImportForm';
import { shippingText } from './shipping';
import './products.css';

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

export function PreviewDialog({ url, onClose }: { url: string | null; onClose: () => void }) {
  return (
    <Dialog.Root open={url !== null} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Content maxWidth="860px" aria-describedby={undefined}>
        {url && <PreviewBody url={url} />}
        <CloseAction mt="4" />
      </Dialog.Content>
    </Dialog.Root>
  );
}
