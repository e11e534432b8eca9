import { CheckCircledIcon, ExclamationTriangleIcon, PlusIcon } from '@radix-ui/react-icons';
import { Box, Button, Callout, Dialog, Flex, SegmentedControl, Select, Switch, Text } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { storeConnectionsQuery, productOf, type ImportJob } from '../../api/imports';
import { completedImportsQuery, priceWatchApi, priceWatchKeys, type CreatedPriceWatch, type PriceWatch } from '../../api/price-watch';
import { usageQuery } from '../../api/queries';
import { SOURCE_LABELS, URL_SOURCES, detectUrl, startsLikeUrl, type UrlSource } from '../../lib/imports';
import { thresholdProblem, watchTitle } from '../../lib/price-watch';
import { ConfirmDialog } from '../ConfirmDialog';
import { DialogActions } from '../DialogActions';
import { FormField } from '../FormField';
import { ImportErrorCallout } from '../imports/ImportDialogs';

const NO_STORE = 'none';

/** Everything that shows watches or their effects, refreshed after a change. */
export function useRefreshWatches() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: priceWatchKeys.all });
    void queryClient.invalidateQueries({ queryKey: usageQuery.queryKey });
  };
}

function ThresholdField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: string | null }) {
  return (
    <FormField
      label="Alert threshold (%)"
      type="number"
      inputMode="decimal"
      min={0}
      max={999.99}
      step="0.5"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint="Alert when the supplier price moves by at least this much. 0 alerts on every change."
    />
  );
}

function importLabel(job: ImportJob): string {
  const title = productOf(job)?.title;
  return title || (job.product_url ?? '').replace(/^https?:\/\/(www\.)?/i, '') || job.id;
}

/**
 * The add-watch dialog. Controlled by the page and mounted once: the first watch turns
 * the empty state into the table, and the dialog must outlive that switch.
 */
export function AddWatchDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const refresh = useRefreshWatches();
  const [mode, setMode] = useState<'link' | 'import'>('link');
  const [url, setUrl] = useState('');
  const [chosenSource, setChosenSource] = useState<UrlSource | null>(null);
  const [threshold, setThreshold] = useState('10');
  const [store, setStore] = useState(NO_STORE);
  const [importId, setImportId] = useState<string | null>(null);
  const [autoReprice, setAutoReprice] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedPriceWatch | null>(null);

  const connections = useQuery({ ...storeConnectionsQuery, enabled: open });
  const imports = useQuery({ ...completedImportsQuery, enabled: open && mode === 'import' });
  const stores = connections.data?.items ?? [];
  const detected = url.trim() ? detectUrl(url) : null;
  const source: UrlSource = chosenSource ?? (detected?.ok ? detected.source : 'aliexpress');
  const chosenImport = imports.data?.find((j) => j.id === importId) ?? null;
  const thresholdError = formError === 'threshold' ? thresholdProblem(threshold) : null;

  const create = useMutation({
    mutationFn: () =>
      mode === 'import'
        ? priceWatchApi.create({ import_job_id: importId!, threshold_percent: Number(threshold), auto_reprice: autoReprice })
        : priceWatchApi.create({ product_url: url.trim(), source, threshold_percent: Number(threshold), connection_id: store === NO_STORE ? null : store }),
    onSuccess: (w) => {
      setCreated(w);
      refresh();
    },
  });

  function reset() {
    setMode('link');
    setUrl('');
    setChosenSource(null);
    setThreshold('10');
    setStore(NO_STORE);
    setImportId(null);
    setAutoReprice(false);
    setFormError(null);
    setCreated(null);
    create.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (thresholdProblem(threshold)) return setFormError('threshold');
    if (mode === 'link' && !url.trim()) return setFormError('Paste the link of the supplier product to watch.');
    if (mode === 'link' && url.length > 2000) return setFormError('The link is too long (2,000 characters at most).');
    if (mode === 'import' && !importId) return setFormError('Choose the import to watch.');
    setFormError(null);
    create.mutate();
  }

  const message = formError && formError !== 'threshold' ? formError : null;

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next) reset();
      }}
    >
      <Dialog.Content maxWidth="560px" aria-describedby={undefined}>
        <Dialog.Title>Watch a supplier price</Dialog.Title>
        {created ? (
          <Flex direction="column" gap="4">
            <Callout.Root color="green" role="status">
              <Callout.Icon>
                <CheckCircledIcon />
              </Callout.Icon>
              <Callout.Text>
                Watching <strong>{watchTitle(created)}</strong>. The first check records its price; alerts follow from the next change.
              </Callout.Text>
            </Callout.Root>
            {created.last_error && (
              <Callout.Root color="amber">
                <Callout.Icon>
                  <ExclamationTriangleIcon />
                </Callout.Icon>
                <Callout.Text>{created.last_error}</Callout.Text>
              </Callout.Root>
            )}
            <Flex justify="end">
              <Dialog.Close>
                <Button size="3">Done</Button>
              </Dialog.Close>
            </Flex>
          </Flex>
        ) : (
          <form onSubmit={submit} noValidate>
            <Flex direction="column" gap="4">
              <SegmentedControl.Root value={mode} onValueChange={(v) => setMode(v as 'link' | 'import')} aria-label="Watch from">
                <SegmentedControl.Item value="link">Product link</SegmentedControl.Item>
                <SegmentedControl.Item value="import">From an import</SegmentedControl.Item>
              </SegmentedControl.Root>

              {mode === 'link' ? (
                <>
                  <Box>
                    <FormField
                      label="Product URL"
                      placeholder="https://www.aliexpress.com/item/1005….html"
                      value={url}
                      maxLength={2000}
                      onChange={(e) => setUrl(e.target.value)}
                      autoFocus
                    />
                    {detected && (
                      <Text as="p" size="1" mt="1" color={detected.ok ? 'green' : 'amber'} role="status">
                        {detected.ok
                          ? `${SOURCE_LABELS[detected.source]} product ${detected.productId}`
                          : startsLikeUrl(url)
                            ? `${detected.reason}: this link can be saved but not checked.`
                            : 'Paste a full link starting with https://.'}
                      </Text>
                    )}
                  </Box>
                  <Flex gap="3" direction={{ initial: 'column', sm: 'row' }}>
                    <Flex direction="column" gap="1" flexGrow="1">
                      <Text as="label" size="2" weight="medium" id="watch-source-label">
                        Supplier
                      </Text>
                      <Select.Root value={source} onValueChange={(v) => setChosenSource(v as UrlSource)} size="3">
                        <Select.Trigger aria-labelledby="watch-source-label" />
                        <Select.Content position="popper">
                          {URL_SOURCES.map((s) => (
                            <Select.Item key={s} value={s}>
                              {SOURCE_LABELS[s]}
                              {detected?.ok && detected.source === s && !chosenSource ? ' (detected)' : ''}
                            </Select.Item>
                          ))}
                        </Select.Content>
                      </Select.Root>
                    </Flex>
                    <Flex direction="column" gap="1" flexGrow="1">
                      <Text as="label" size="2" weight="medium" id="watch-store-label">
                        Store (optional)
                      </Text>
                      <Select.Root value={store} onValueChange={setStore} size="3">
                        <Select.Trigger aria-labelledby="watch-store-label" />
                        <Select.Content position="popper">
                          <Select.Item value={NO_STORE}>No store</Select.Item>
                          {stores.map((s) => (
                            <Select.Item key={s.id} value={s.id}>
                              {s.store_name}
                            </Select.Item>
                          ))}
                        </Select.Content>
                      </Select.Root>
                    </Flex>
                  </Flex>
                </>
              ) : (
                <>
                  <Flex direction="column" gap="1">
                    <Text as="label" size="2" weight="medium" id="watch-import-label">
                      Completed import
                    </Text>
                    {imports.isPending ? (
                      <Text size="2" color="gray">
                        Loading your imports…
                      </Text>
                    ) : imports.data?.length ? (
                      <Select.Root value={importId ?? undefined} onValueChange={setImportId} size="3">
                        <Select.Trigger aria-labelledby="watch-import-label" placeholder="Choose an imported product" />
                        <Select.Content position="popper">
                          {imports.data.map((j) => (
                            <Select.Item key={j.id} value={j.id}>
                              {importLabel(j).slice(0, 70)}
                            </Select.Item>
                          ))}
                        </Select.Content>
                      </Select.Root>
                    ) : (
                      <Text size="2" color="gray">
                        No completed imports yet. Import a product first, or watch it by its link.
                      </Text>
                    )}
                  </Flex>
                  <Text as="label" size="2">
                    <Flex gap="2" align="center">
                      <Switch checked={autoReprice} onCheckedChange={setAutoReprice} disabled={!chosenImport?.store_id} />
                      <span>
                        Update my store price automatically
                        <Text as="span" color="gray">
                          {chosenImport && !chosenImport.store_id ? ' · this import went to no store' : ' · with the import’s pricing rule, never below cost'}
                        </Text>
                      </span>
                    </Flex>
                  </Text>
                </>
              )}

              <ThresholdField value={threshold} onChange={setThreshold} error={thresholdError} />
              {message ? <ImportErrorCallout error={message} /> : create.isError && <ImportErrorCallout error={create.error} />}
            </Flex>
            <DialogActions pending={create.isPending} label="Start watching" />
          </form>
        )}
      </Dialog.Content>
    </Dialog.Root>
  );
}

export function AddWatchButton({ label = 'Add watch', onClick }: { label?: string; onClick: () => void }) {
  return (
    <Button size="3" onClick={onClick}>
      <PlusIcon /> {label}
    </Button>
  );
}

/** Threshold and auto-reprice of one watch. */
export function EditWatchDialog({ watch, open, onOpenChange }: { watch: PriceWatch; open: boolean; onOpenChange: (open: boolean) => void }) {
  const refresh = useRefreshWatches();
  const [threshold, setThreshold] = useState(String(watch.threshold_percent));
  const [autoReprice, setAutoReprice] = useState(watch.auto_reprice);
  const [touched, setTouched] = useState(false);
  const save = useMutation({
    mutationFn: () => priceWatchApi.update(watch.id, { threshold_percent: Number(threshold), auto_reprice: autoReprice }),
    onSuccess: () => {
      refresh();
      onOpenChange(false);
    },
  });
  const problem = touched ? thresholdProblem(threshold) : null;

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (next) {
          setThreshold(String(watch.threshold_percent));
          setAutoReprice(watch.auto_reprice);
          setTouched(false);
          save.reset();
        }
      }}
    >
      <Dialog.Content maxWidth="480px" aria-describedby={undefined}>
        <Dialog.Title>Edit watch</Dialog.Title>
        <Text as="p" size="2" color="gray" mb="4" className="break-words">
          {watchTitle(watch)}
        </Text>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setTouched(true);
            if (!thresholdProblem(threshold)) save.mutate();
          }}
          noValidate
        >
          <Flex direction="column" gap="4">
            <ThresholdField value={threshold} onChange={setThreshold} error={problem} />
            <Text as="label" size="2">
              <Flex gap="2" align="center">
                <Switch checked={autoReprice} onCheckedChange={setAutoReprice} />
                <span>
                  Auto-reprice
                  <Text as="span" color="gray">
                    {' '}
                    · update the imported store product when the supplier price moves
                  </Text>
                </span>
              </Flex>
            </Text>
            {save.isError && <ImportErrorCallout error={save.error} />}
          </Flex>
          <Flex gap="3" mt="5" justify="end">
            <Dialog.Close>
              <Button type="button" variant="soft" color="gray">
                Cancel
              </Button>
            </Dialog.Close>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Flex>
        </form>
      </Dialog.Content>
    </Dialog.Root>
  );
}

export function DeleteWatchDialog({ watch, open, onOpenChange, onDeleted }: { watch: PriceWatch; open: boolean; onOpenChange: (open: boolean) => void; onDeleted?: () => void }) {
  const refresh = useRefreshWatches();
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Delete this watch?"
      description={
        <>
          SourcePilot stops checking <strong className="break-words">{watchTitle(watch)}</strong>, and its price history and alerts are deleted. This
          cannot be undone.
        </>
      }
      confirmLabel="Delete watch"
      onConfirm={() => priceWatchApi.remove(watch.id)}
      onConfirmed={() => {
        refresh();
        onDeleted?.();
      }}
      renderError={(error) => <ImportErrorCallout error={error} />}
    />
  );
}

/** Pause or resume; resuming counts against the plan's watch limit. */
export function usePauseResume() {
  const refresh = useRefreshWatches();
  return useMutation({
    mutationFn: (w: PriceWatch) => priceWatchApi.update(w.id, { is_active: !w.is_active }),
    onSettled: refresh,
  });
}
