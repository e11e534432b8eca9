import { MagnifyingGlassIcon, StarFilledIcon } from '@radix-ui/react-icons';
import { Button, Card, Flex, Grid, Inset, Skeleton, Text, VisuallyHidden } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import { PAGE_SIZE, productSearchQuery, sourceLabel, type ProductHit, type ProductSearch, type SupplierSource } from '../../api/products';
import { formatMoney, formatNumber } from '../../lib/format';
import { EmptyState, QueryState } from '../States';
import { DemoBadge, DemoNotice } from './Demo';
import { shippingText } from './shipping';
import './products.css';

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

interface ResultsProps {
  q: string;
  source: SupplierSource;
  page: number;
  onPage: (page: number) => void;
  onOpen: (url: string) => void;
}

/** One page of search results with its count, demo notice and pagination. */
export function Results(props: ResultsProps) {
  const search = useQuery(productSearchQuery(props.q, props.source, props.page));
  return (
    <QueryState query={search} loading={<ResultSkeleton />} errorTitle="The search failed">
      {(result) => <ResultPage {...props} result={result} fetching={search.isFetching} />}
    </QueryState>
  );
}

function ResultPage({ q, source, page, onPage, onOpen, result, fetching }: ResultsProps & { result: ProductSearch; fetching: boolean }) {
  const { products, total } = result;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const demo = products.some((p) => p.mode === 'demo') || (products.length === 0 && source === 'spocket');
  return (
    <Flex direction="column" gap="4" aria-busy={fetching}>
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
