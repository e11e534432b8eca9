import { MagnifyingGlassIcon } from '@radix-ui/react-icons';
import { Button, Flex, Select, Text, TextField } from '@radix-ui/themes';
import { useState, type FormEvent } from 'react';
import { isSource, SOURCES, type SupplierSource } from '../../api/products';

export function SearchForm({ q, source, onSearch }: { q: string; source: SupplierSource; onSearch: (q: string, source: SupplierSource) => void }) {
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

export function UrlPreviewForm({ onPreview }: { onPreview: (url: string) => void }) {
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
