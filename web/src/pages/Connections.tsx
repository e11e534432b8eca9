import { CheckCircledIcon, CrossCircledIcon, Link2Icon, Pencil1Icon, PlusIcon, StarFilledIcon, StarIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Callout, Card, Code, Dialog, Flex, Grid, Heading, RadioCards, Text } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import { connectionsApi, connectionsQuery, STORE_PLATFORMS, storePlatformOf, type Connection, type ConnectionTest, type StorePlatform } from '../api/stores';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FormField } from '../components/FormField';
import { LoadingCards } from '../components/LoadingCards';
import { PageHeader } from '../components/PageHeader';
import { Problem } from '../components/Problem';
import { EmptyState, ErrorState } from '../components/States';
import { formatDate } from '../lib/format';

function PlatformBadge({ platform }: { platform: string }) {
  const known = storePlatformOf(platform);
  return (
    <Badge color={known ? STORE_PLATFORMS[known].color : 'gray'} variant="soft">
      {known ? STORE_PLATFORMS[known].label : platform}
    </Badge>
  );
}

const URL_HINT: Record<StorePlatform, { placeholder: string; hint: string }> = {
  shopify: { placeholder: 'https://your-shop.myshopify.com', hint: 'Your permanent myshopify.com address, not a custom domain.' },
  woocommerce: { placeholder: 'https://shop.example.com', hint: 'The https:// address of your WordPress site, without a path.' },
};

interface StoreFormValues {
  platform: StorePlatform | null;
  storeName: string;
  storeUrl: string;
  token: string;
  consumerKey: string;
  consumerSecret: string;
}

/** The `api_key` to send: a Shopify token, or WooCommerce's key and secret as `ck_…:cs_…`; null = keep/none. */
function apiKeyOf(v: StoreFormValues): string | null {
  if (v.platform === 'woocommerce') return v.consumerKey.trim() || v.consumerSecret.trim() ? `${v.consumerKey.trim()}:${v.consumerSecret.trim()}` : null;
  return v.token.trim() || null;
}

/** Checks the form can be sent; the API has the final word on URLs (its 422 is shown as is). */
function formProblem(v: StoreFormValues, creating: boolean): string | null {
  if (creating && !v.platform) return 'Choose the store’s platform.';
  if (!v.storeName.trim()) return 'Give the store a name.';
  if (!v.storeUrl.trim()) return 'Enter the store’s address.';
  if (!/^https?:\/\//i.test(v.storeUrl.trim())) return 'The store address must start with https://.';
  if (v.platform === 'woocommerce') {
    const key = v.consumerKey.trim();
    const secret = v.consumerSecret.trim();
    if (creating && (!key || !secret)) return 'Enter the consumer key and the consumer secret.';
    if ((key || secret) && (!key.startsWith('ck_') || !secret.startsWith('cs_'))) return 'The consumer key starts with ck_ and the secret with cs_.';
  }
  if (creating && v.platform === 'shopify' && !v.token.trim()) return 'Enter the Admin API access token.';
  return null;
}

function CredentialFields({ values, set, editing }: { values: StoreFormValues; set: (patch: Partial<StoreFormValues>) => void; editing: boolean }) {
  const keep = editing ? 'Leave empty to keep the saved one.' : undefined;
  if (values.platform === 'shopify') {
    return (
      <FormField
        label="Admin API access token"
        type="password"
        autoComplete="off"
        placeholder="shpat_…"
        value={values.token}
        maxLength={500}
        onChange={(e) => set({ token: e.target.value })}
        hint={keep ?? 'From a custom app made in Shopify admin before 2026 (Settings › Apps and sales channels › Develop apps): give it the Admin API scopes write_products, read_locations and write_inventory, reinstall it and copy the token.'}
      />
    );
  }
  if (values.platform === 'woocommerce') {
    return (
      <>
        <FormField label="Consumer key" autoComplete="off" placeholder="ck_…" value={values.consumerKey} maxLength={250} onChange={(e) => set({ consumerKey: e.target.value })} hint={keep} />
        <FormField
          label="Consumer secret"
          type="password"
          autoComplete="off"
          placeholder="cs_…"
          value={values.consumerSecret}
          maxLength={249}
          onChange={(e) => set({ consumerSecret: e.target.value })}
          hint={keep ?? 'In WordPress: WooCommerce › Settings › Advanced › REST API › Add key, with Read/Write permission.'}
        />
      </>
    );
  }
  return (
    <FormField label="API key" type="password" autoComplete="off" value={values.token} maxLength={500} onChange={(e) => set({ token: e.target.value })} hint={keep} />
  );
}

function StoreForm({
  initial,
  editing,
  pending,
  error,
  submitLabel,
  onSubmit,
}: {
  initial: StoreFormValues;
  editing: boolean;
  pending: boolean;
  error: unknown;
  submitLabel: string;
  onSubmit: (values: StoreFormValues) => void;
}) {
  const [values, setValues] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (patch: Partial<StoreFormValues>) => setValues((v) => ({ ...v, ...patch }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = formProblem(values, !editing);
    setProblem(found);
    if (!found) onSubmit(values);
  }

  const urlHint = values.platform ? URL_HINT[values.platform] : null;
  return (
    <form onSubmit={submit} noValidate>
      <Flex direction="column" gap="4">
        {problem ? <Problem>{problem}</Problem> : error ? <Problem>{errorMessage(error)}</Problem> : null}
        {!editing && (
          <Box>
            <Text as="div" size="2" weight="medium" mb="2" id="platform-label">
              Platform
            </Text>
            <RadioCards.Root aria-labelledby="platform-label" columns="2" value={values.platform ?? ''} onValueChange={(p) => set({ platform: p as StorePlatform })}>
              {(Object.keys(STORE_PLATFORMS) as StorePlatform[]).map((p) => (
                <RadioCards.Item key={p} value={p}>
                  <Text weight="bold">{STORE_PLATFORMS[p].label}</Text>
                </RadioCards.Item>
              ))}
            </RadioCards.Root>
          </Box>
        )}
        <FormField label="Store name" placeholder="e.g. Main shop" value={values.storeName} maxLength={255} onChange={(e) => set({ storeName: e.target.value })} />
        <FormField
          label="Store URL"
          type="url"
          inputMode="url"
          autoComplete="url"
          placeholder={urlHint?.placeholder ?? 'https://'}
          value={values.storeUrl}
          maxLength={500}
          onChange={(e) => set({ storeUrl: e.target.value })}
          hint={urlHint?.hint}
        />
        {values.platform !== null || editing ? <CredentialFields values={values} set={set} editing={editing} /> : null}
        <Text size="1" color="gray">
          Credentials are encrypted before they are stored and are never shown again.
        </Text>
      </Flex>
      <Flex gap="3" mt="5" justify="end">
        <Dialog.Close>
          <Button type="button" variant="soft" color="gray" size="3">
            Cancel
          </Button>
        </Dialog.Close>
        <Button type="submit" size="3" loading={pending}>
          {submitLabel}
        </Button>
      </Flex>
    </form>
  );
}

const emptyForm: StoreFormValues = { platform: null, storeName: '', storeUrl: '', token: '', consumerKey: '', consumerSecret: '' };

function ConnectStoreDialog({ label = 'Connect a store' }: { label?: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const create = useMutation({
    mutationFn: (v: StoreFormValues) => connectionsApi.create({ store_name: v.storeName.trim(), platform: v.platform!, store_url: v.storeUrl.trim(), api_key: apiKeyOf(v) }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: connectionsQuery.queryKey });
      setOpen(false);
    },
  });
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) create.reset();
      }}
    >
      <Dialog.Trigger>
        <Button size="3">
          <PlusIcon /> {label}
        </Button>
      </Dialog.Trigger>
      <Dialog.Content maxWidth="520px" aria-describedby={undefined}>
        <Dialog.Title>Connect a store</Dialog.Title>
        {open && <StoreForm initial={emptyForm} editing={false} pending={create.isPending} error={create.error} submitLabel="Connect store" onSubmit={(v) => create.mutate(v)} />}
      </Dialog.Content>
    </Dialog.Root>
  );
}

function EditStoreDialog({ connection }: { connection: Connection }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const update = useMutation({
    mutationFn: (v: StoreFormValues) => {
      const apiKey = apiKeyOf(v);
      return connectionsApi.update(connection.id, {
        ...(v.storeName.trim() !== connection.store_name ? { store_name: v.storeName.trim() } : {}),
        ...(v.storeUrl.trim() !== connection.store_url ? { store_url: v.storeUrl.trim() } : {}),
        ...(apiKey ? { api_key: apiKey } : {}),
      });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: connectionsQuery.queryKey });
      setOpen(false);
    },
  });
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) update.reset();
      }}
    >
      <Dialog.Trigger>
        <Button variant="soft" color="gray" size="2" aria-label={`Edit ${connection.store_name}`}>
          <Pencil1Icon /> Edit
        </Button>
      </Dialog.Trigger>
      <Dialog.Content maxWidth="520px" aria-describedby={undefined}>
        <Dialog.Title>Edit “{connection.store_name}”</Dialog.Title>
        {open && (
          <StoreForm
            initial={{ ...emptyForm, platform: storePlatformOf(connection.platform), storeName: connection.store_name, storeUrl: connection.store_url }}
            editing
            pending={update.isPending}
            error={update.error}
            submitLabel="Save changes"
            onSubmit={(v) => update.mutate(v)}
          />
        )}
      </Dialog.Content>
    </Dialog.Root>
  );
}

function DisconnectDialog({ connection, others }: { connection: Connection; others: number }) {
  const queryClient = useQueryClient();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="soft" color="red" size="2" aria-label={`Disconnect ${connection.store_name}`}>
          Disconnect
        </Button>
      }
      title={<>Disconnect “{connection.store_name}”?</>}
      description={
        <>
          SourcePilot stops importing into this store and forgets its credentials. Products already in the store stay there.
          {connection.is_default && others > 0 && ' Your oldest other store becomes the default.'}
        </>
      }
      confirmLabel="Disconnect"
      onConfirm={() => connectionsApi.remove(connection.id)}
      onConfirmed={() => queryClient.invalidateQueries({ queryKey: connectionsQuery.queryKey })}
    />
  );
}

function TestResult({ result }: { result: ConnectionTest }) {
  return (
    <Callout.Root color={result.ok ? 'green' : 'red'} size="1" role="status">
      <Callout.Icon>{result.ok ? <CheckCircledIcon /> : <CrossCircledIcon />}</Callout.Icon>
      <Callout.Text>{result.ok ? `Connected to ${result.shop_name ?? 'the store'}.` : (result.detail ?? 'The store did not accept the connection.')}</Callout.Text>
    </Callout.Root>
  );
}

function ConnectionCard({ connection, others }: { connection: Connection; others: number }) {
  const queryClient = useQueryClient();
  const test = useMutation({ mutationFn: () => connectionsApi.test(connection.id) });
  const makeDefault = useMutation({
    mutationFn: () => connectionsApi.makeDefault(connection.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: connectionsQuery.queryKey }),
  });
  return (
    <Card size="3" asChild>
      <article aria-label={connection.store_name} data-connection-id={connection.id} data-default={connection.is_default}>
        <Flex direction="column" gap="3" height="100%">
          <Flex justify="between" align="start" gap="3">
            <Box minWidth="0">
              <Heading as="h2" size="4" trim="start" truncate>
                {connection.store_name}
              </Heading>
              <Text as="p" size="2" color="gray" mt="1" truncate>
                <Code variant="ghost" color="gray">
                  {connection.store_url}
                </Code>
              </Text>
            </Box>
            <Flex gap="2" flexShrink="0" wrap="wrap" justify="end">
              {connection.is_default && (
                <Badge color="amber" variant="solid">
                  <StarFilledIcon /> Default
                </Badge>
              )}
              <PlatformBadge platform={connection.platform} />
            </Flex>
          </Flex>
          <Text size="1" color="gray">
            Connected {formatDate(connection.created_at)}
          </Text>
          {test.data && <TestResult result={test.data} />}
          {test.isError && <Problem>{errorMessage(test.error)}</Problem>}
          {makeDefault.isError && <Problem>{errorMessage(makeDefault.error)}</Problem>}
          <Flex gap="2" wrap="wrap" mt="auto">
            <Button variant="soft" size="2" loading={test.isPending} onClick={() => test.mutate()} aria-label={`Test connection to ${connection.store_name}`}>
              Test connection
            </Button>
            {!connection.is_default && (
              <Button variant="soft" color="amber" size="2" loading={makeDefault.isPending} onClick={() => makeDefault.mutate()} aria-label={`Make ${connection.store_name} the default`}>
                <StarIcon /> Make default
              </Button>
            )}
            <EditStoreDialog connection={connection} />
            <DisconnectDialog connection={connection} others={others} />
          </Flex>
        </Flex>
      </article>
    </Card>
  );
}

export default function Connections() {
  const connections = useQuery(connectionsQuery);
  const items = connections.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Connections"
        description="The stores SourcePilot imports into. New imports go to your default store unless you choose another."
        actions={items.length > 0 ? <ConnectStoreDialog /> : undefined}
      />
      {connections.isPending ? (
        <LoadingCards
          label="Loading stores"
          lines={[
            { width: '50%', height: '24px' },
            { width: '80%', height: '18px' },
            { width: '60%', height: '32px' },
          ]}
        />
      ) : connections.isError ? (
        <ErrorState title="Could not load your stores" error={connections.error} onRetry={() => void connections.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={<Link2Icon />} title="No stores connected yet" action={<ConnectStoreDialog label="Connect your first store" />}>
          Connect a Shopify or WooCommerce store and SourcePilot pushes imported products straight to it. Your first store becomes the default.
        </EmptyState>
      ) : (
        <Grid columns={{ initial: '1', md: '2' }} gap="4" role="list" aria-label="Connected stores">
          {items.map((c) => (
            <Box role="listitem" key={c.id}>
              <ConnectionCard connection={c} others={items.length - 1} />
            </Box>
          ))}
        </Grid>
      )}
    </>
  );
}
