import { CubeIcon } from '@radix-ui/react-icons';
import { Card, Flex } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { isSource, type SupplierSource } from '../api/products';
import { meQuery } from '../api/queries';
import { PageHeader } from '../components/PageHeader';
import { PreviewDialog } from '../components/products/PreviewDialog';
import { Results } from '../components/products/Results';
import { SearchForm, UrlPreviewForm } from '../components/products/SearchForms';
import { Suggestions } from '../components/products/Suggestions';
import { EmptyState } from '../components/States';

export default function Products() {
  const [params, setParams] = useSearchParams();
  const me = useQuery(meQuery);
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
        {/* Only where an AI gateway is configured (GET /auth/me says so): no 503 on every visit. */}
        {me.data?.features.ai && <Suggestions onSearch={(text) => search(text)} />}
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
