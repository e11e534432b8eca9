import { CheckCircledIcon, CrossCircledIcon, Link2Icon, StarFilledIcon, StarIcon } from '@radix-ui/react-icons';
import { Badge, Button, Callout, Code, Flex, Text } from '@radix-ui/themes';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api/errors';
import { connectionsApi, connectionsQuery, STORE_PLATFORMS, storePlatformOf, type Connection, type ConnectionTest, type StorePlatform } from '../api/stores';
import { AccountCard } from '../components/accounts/AccountCard';
import { AccountForm, AddAccountDialog, EditAccountDialog, RemoveAccountDialog, useAccountMutation } from '../components/accounts/AccountDialogs';
import { AccountsPage } from '../components/accounts/AccountsPage';
import { PlatformBadge, PlatformPicker } from '../components/accounts/Platform';
import { FormField } from '../components/FormField';
import { Problem } from '../components/Problem';
import { formatDate } from '../lib/format';

const LIST_KEY = connectionsQuery.queryKey;
const DIALOG_WIDTH = '520px';

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
  const set = (patch: Partial<StoreFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const urlHint = values.platform ? URL_HINT[values.platform] : null;
  return (
    <AccountForm check={() => formProblem(values, !editing)} onValid={() => onSubmit(values)} error={error} pending={pending} submitLabel={submitLabel}>
      {!editing && (
        <PlatformPicker id="platform-label" label="Platform" platforms={STORE_PLATFORMS} columns="2" value={values.platform} onChange={(platform) => set({ platform })} />
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
    </AccountForm>
  );
}

const emptyForm: StoreFormValues = { platform: null, storeName: '', storeUrl: '', token: '', consumerKey: '', consumerSecret: '' };

function ConnectStoreDialog({ label = 'Connect a store' }: { label?: string }) {
  return (
    <AddAccountDialog
      label={label}
      title="Connect a store"
      maxWidth={DIALOG_WIDTH}
      listKey={LIST_KEY}
      save={(v: StoreFormValues) => connectionsApi.create({ store_name: v.storeName.trim(), platform: v.platform!, store_url: v.storeUrl.trim(), api_key: apiKeyOf(v) })}
    >
      {(form) => <StoreForm initial={emptyForm} editing={false} pending={form.pending} error={form.error} submitLabel="Connect store" onSubmit={form.save} />}
    </AddAccountDialog>
  );
}

function EditStoreDialog({ connection }: { connection: Connection }) {
  return (
    <EditAccountDialog
      name={connection.store_name}
      maxWidth={DIALOG_WIDTH}
      listKey={LIST_KEY}
      save={(v: StoreFormValues) => {
        const apiKey = apiKeyOf(v);
        return connectionsApi.update(connection.id, {
          ...(v.storeName.trim() !== connection.store_name ? { store_name: v.storeName.trim() } : {}),
          ...(v.storeUrl.trim() !== connection.store_url ? { store_url: v.storeUrl.trim() } : {}),
          ...(apiKey ? { api_key: apiKey } : {}),
        });
      }}
    >
      {(form) => (
        <StoreForm
          initial={{ ...emptyForm, platform: storePlatformOf(connection.platform), storeName: connection.store_name, storeUrl: connection.store_url }}
          editing
          pending={form.pending}
          error={form.error}
          submitLabel="Save changes"
          onSubmit={form.save}
        />
      )}
    </EditAccountDialog>
  );
}

function DisconnectDialog({ connection, others }: { connection: Connection; others: number }) {
  return (
    <RemoveAccountDialog
      name={connection.store_name}
      verb="Disconnect"
      confirmLabel="Disconnect"
      description={
        <>
          SourcePilot stops importing into this store and forgets its credentials. Products already in the store stay there.
          {connection.is_default && others > 0 && ' Your oldest other store becomes the default.'}
        </>
      }
      listKey={LIST_KEY}
      remove={() => connectionsApi.remove(connection.id)}
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
  const test = useMutation({ mutationFn: () => connectionsApi.test(connection.id) });
  const makeDefault = useAccountMutation<void>(LIST_KEY, () => connectionsApi.makeDefault(connection.id));
  const platform = storePlatformOf(connection.platform);
  return (
    <AccountCard
      name={connection.store_name}
      data={{ 'data-connection-id': connection.id, 'data-default': connection.is_default }}
      subtitle={
        <Text as="p" size="2" color="gray" mt="1" truncate>
          <Code variant="ghost" color="gray">
            {connection.store_url}
          </Code>
        </Text>
      }
      badges={
        <>
          {connection.is_default && (
            <Badge color="amber" variant="solid">
              <StarFilledIcon /> Default
            </Badge>
          )}
          {connection.demo && (
            <Badge color="iris" variant="soft">
              Demo store
            </Badge>
          )}
          <PlatformBadge platform={connection.platform} meta={platform && STORE_PLATFORMS[platform]} />
        </>
      }
    >
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
    </AccountCard>
  );
}

export default function Connections() {
  const connections = useQuery(connectionsQuery);
  return (
    <AccountsPage
      title="Connections"
      description="The stores SourcePilot imports into. New imports go to your default store unless you choose another."
      query={connections}
      addDialog={(label) => <ConnectStoreDialog label={label} />}
      loading={{
        label: 'Loading stores',
        lines: [
          { width: '50%', height: '24px' },
          { width: '80%', height: '18px' },
          { width: '60%', height: '32px' },
        ],
      }}
      errorTitle="Could not load your stores"
      empty={{
        icon: <Link2Icon />,
        title: 'No stores connected yet',
        addLabel: 'Connect your first store',
        text: 'Connect a Shopify or WooCommerce store and SourcePilot pushes imported products straight to it. Your first store becomes the default.',
      }}
      listLabel="Connected stores"
      card={(c, items) => <ConnectionCard connection={c} others={items.length - 1} />}
    />
  );
}
