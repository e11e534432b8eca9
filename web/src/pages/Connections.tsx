import { CheckCircledIcon, CrossCircledIcon, Link2Icon, StarFilledIcon, StarIcon } from '@radix-ui/react-icons';
import { Badge, Button, Callout, Code, Flex, RadioGroup, Text } from '@radix-ui/themes';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { errorMessage } from '../api/errors';
import { browser, connectionsApi, connectionsQuery, STORE_PLATFORMS, storePlatformOf, type Connection, type ConnectionTest, type StorePlatform } from '../api/stores';
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
  /** Shopify only: a legacy access token, or the client id and secret of the merchant's own Dev Dashboard app. */
  shopifyMode: 'token' | 'app';
  clientId: string;
  clientSecret: string;
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
  if (creating && v.platform === 'shopify' && v.shopifyMode === 'app' && (!v.clientId.trim() || !v.clientSecret.trim())) return 'Enter your app’s client id and client secret.';
  if (creating && v.platform === 'shopify' && v.shopifyMode === 'token' && !v.token.trim()) return 'Enter the Admin API access token.';
  return null;
}

function CredentialFields({ values, set, editing }: { values: StoreFormValues; set: (patch: Partial<StoreFormValues>) => void; editing: boolean }) {
  const keep = editing ? 'Leave empty to keep the saved one.' : undefined;
  if (values.platform === 'shopify' && !editing) {
    return (
      <>
        <Text as="div" size="2" weight="medium" id="shopify-mode-label">
          How does SourcePilot reach the store?
        </Text>
        <RadioGroup.Root aria-labelledby="shopify-mode-label" value={values.shopifyMode} onValueChange={(v) => set({ shopifyMode: v as StoreFormValues['shopifyMode'] })}>
          <RadioGroup.Item value="token">Access token of a custom app made before 2026</RadioGroup.Item>
          <RadioGroup.Item value="app">Your own app from Shopify’s Dev Dashboard (client id and secret)</RadioGroup.Item>
        </RadioGroup.Root>
        {values.shopifyMode === 'app' ? (
          <>
            <FormField label="Client id" autoComplete="off" value={values.clientId} maxLength={255} onChange={(e) => set({ clientId: e.target.value })} />
            <FormField
              label="Client secret"
              type="password"
              autoComplete="off"
              value={values.clientSecret}
              maxLength={500}
              onChange={(e) => set({ clientSecret: e.target.value })}
              hint="Dev Dashboard › your app › Settings. Give the app the scopes write_products, read_locations and write_inventory and install it on this store; SourcePilot renews its token before it expires."
            />
          </>
        ) : (
          <ShopifyTokenField values={values} set={set} keep={keep} />
        )}
      </>
    );
  }
  if (values.platform === 'shopify') return <ShopifyTokenField values={values} set={set} keep={keep} />;
  return <OtherCredentialFields values={values} set={set} keep={keep} />;
}

function ShopifyTokenField({ values, set, keep }: { values: StoreFormValues; set: (patch: Partial<StoreFormValues>) => void; keep: string | undefined }) {
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

function OtherCredentialFields({ values, set, keep }: { values: StoreFormValues; set: (patch: Partial<StoreFormValues>) => void; keep: string | undefined }) {
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

const emptyForm: StoreFormValues = { platform: null, storeName: '', storeUrl: '', token: '', consumerKey: '', consumerSecret: '', shopifyMode: 'token', clientId: '', clientSecret: '' };

function ConnectStoreDialog({ label = 'Connect a store' }: { label?: string }) {
  return (
    <AddAccountDialog
      label={label}
      title="Connect a store"
      maxWidth={DIALOG_WIDTH}
      listKey={LIST_KEY}
      save={(v: StoreFormValues) =>
        connectionsApi.create(
          v.platform === 'shopify' && v.shopifyMode === 'app'
            ? { store_name: v.storeName.trim(), platform: v.platform, store_url: v.storeUrl.trim(), client_id: v.clientId.trim(), client_secret: v.clientSecret.trim() }
            : { store_name: v.storeName.trim(), platform: v.platform!, store_url: v.storeUrl.trim(), api_key: apiKeyOf(v) },
        )
      }
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

/** Sends the browser to the store's own screen: Shopify's install screen or WooCommerce's approve screen. */
async function startConnect(platform: StorePlatform, address: string) {
  const { authorize_url } = platform === 'shopify' ? await connectionsApi.installShopify(address) : await connectionsApi.authorizeWoo(address);
  browser.go(authorize_url);
}

const ONE_CLICK: Record<StorePlatform, { label: string; field: string; placeholder: string; hint: string; submit: string }> = {
  shopify: {
    label: 'Connect Shopify',
    field: 'Shop name',
    placeholder: 'my-store or my-store.myshopify.com',
    hint: 'You approve SourcePilot on Shopify’s install screen and come back here connected.',
    submit: 'Go to Shopify',
  },
  woocommerce: {
    label: 'Connect WooCommerce',
    field: 'Store URL',
    placeholder: 'https://shop.example.com',
    hint: 'You approve SourcePilot in your WordPress admin (you need to be able to manage WooCommerce) and come back here connected.',
    submit: 'Go to WooCommerce',
  },
};

function OneClickDialog({ platform }: { platform: StorePlatform }) {
  const text = ONE_CLICK[platform];
  return (
    <AddAccountDialog label={text.label} title={text.label} maxWidth={DIALOG_WIDTH} listKey={LIST_KEY} save={(address: string) => startConnect(platform, address.trim())}>
      {(form) => <OneClickForm platform={platform} pending={form.pending} error={form.error} onSubmit={form.save} />}
    </AddAccountDialog>
  );
}

function OneClickForm({ platform, pending, error, onSubmit }: { platform: StorePlatform; pending: boolean; error: unknown; onSubmit: (address: string) => void }) {
  const text = ONE_CLICK[platform];
  const [address, setAddress] = useState('');
  return (
    <AccountForm check={() => (address.trim() ? null : `Enter the ${text.field.toLowerCase()}.`)} onValid={() => onSubmit(address)} error={error} pending={pending} submitLabel={text.submit}>
      <FormField label={text.field} placeholder={text.placeholder} value={address} maxLength={500} autoComplete="url" onChange={(e) => setAddress(e.target.value)} hint={text.hint} />
    </AccountForm>
  );
}

const AUTH_LABEL: Record<string, string> = {
  oauth: 'Shopify app',
  client_credentials: 'your own Shopify app',
  token: 'access token',
  keys: 'REST API keys',
};

const STATUS: Record<string, { label: string; color: 'green' | 'orange' | 'red' }> = {
  connected: { label: 'Connected', color: 'green' },
  needs_reauth: { label: 'Needs reconnect', color: 'orange' },
  uninstalled: { label: 'Uninstalled', color: 'red' },
};

/** What each `?error=` of the install callback means to the merchant (services/shopify-oauth.ts InstallError). */
const INSTALL_ERRORS: Record<string, string> = {
  not_configured: 'The Shopify app is not configured on this server yet. Ask the administrator, or connect with your own app’s client id and secret.',
  invalid_request: 'Shopify’s answer was incomplete. Start the connection again.',
  invalid_hmac: 'Shopify’s answer could not be verified. Start the connection again.',
  stale_request: 'The install took too long. Start the connection again.',
  invalid_shop: 'That address is not a Shopify store. Enter your shop name or my-store.myshopify.com address.',
  invalid_state: 'This install link was already used, expired, or was started by someone else. Start the connection again.',
  token_exchange_failed: 'Shopify did not hand over access to the store. Start the connection again in a minute.',
};

type Outcome = { ok: boolean; text: string } | null;

/** The result a store's redirect brought back (`?connected`, `?error`, WooCommerce's `?success`), read once. */
function outcomeOf(params: URLSearchParams): Outcome {
  if (params.get('connected')) return { ok: true, text: 'Store connected. Imports can go there now.' };
  const error = params.get('error');
  if (error) return { ok: false, text: INSTALL_ERRORS[error] ?? `The store could not be connected (${error}). Start the connection again.` };
  if (params.get('success') === '1') return { ok: true, text: 'WooCommerce store connected. Imports can go there now.' };
  if (params.get('success') === '0') return { ok: false, text: 'The connection was declined in WooCommerce; nothing was connected.' };
  return null;
}

const OUTCOME_PARAMS = ['connected', 'error', 'success', 'user_id'];

function useRedirectOutcome(): [Outcome, () => void] {
  const [params, setParams] = useSearchParams();
  const [outcome, setOutcome] = useState<Outcome>(() => outcomeOf(params));
  useEffect(() => {
    if (!OUTCOME_PARAMS.some((k) => params.has(k))) return;
    const next = new URLSearchParams(params);
    for (const k of OUTCOME_PARAMS) next.delete(k);
    setParams(next, { replace: true });
  }, [params, setParams]);
  return [outcome, () => setOutcome(null)];
}

function OutcomeCallout({ outcome, onClose }: { outcome: Outcome; onClose: () => void }) {
  if (!outcome) return null;
  return (
    <Callout.Root color={outcome.ok ? 'green' : 'red'} mb="4" role={outcome.ok ? 'status' : 'alert'}>
      <Callout.Icon>{outcome.ok ? <CheckCircledIcon /> : <CrossCircledIcon />}</Callout.Icon>
      <Callout.Text>
        {outcome.text}{' '}
        <Button variant="ghost" size="1" onClick={onClose}>
          Dismiss
        </Button>
      </Callout.Text>
    </Callout.Root>
  );
}

function ReconnectButton({ connection, platform }: { connection: Connection; platform: StorePlatform }) {
  const reconnect = useMutation({ mutationFn: () => startConnect(platform, connection.store_url) });
  return (
    <>
      <Button size="2" color="orange" loading={reconnect.isPending} onClick={() => reconnect.mutate()} aria-label={`Reconnect ${connection.store_name}`}>
        Reconnect
      </Button>
      {reconnect.isError && <Problem>{errorMessage(reconnect.error)}</Problem>}
    </>
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
  const status = STATUS[connection.status];
  // Rows from before the status existed read as connected.
  const reconnect = Boolean(connection.status) && connection.status !== 'connected';
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
          {status && (
            <Badge color={status.color} variant="soft" data-status={connection.status}>
              {status.label}
            </Badge>
          )}
        </>
      }
    >
      <Text size="1" color="gray">
        Connected {formatDate(connection.created_at)}
        {AUTH_LABEL[connection.auth_type] && ` · ${AUTH_LABEL[connection.auth_type]}`}
      </Text>
      {connection.scopes && connection.scopes.length > 0 && (
        <Text size="1" color="gray" aria-label="Granted access">
          Access: {connection.scopes.join(', ')}
        </Text>
      )}
      {reconnect && (
        <Callout.Root color={status?.color ?? 'orange'} size="1">
          <Callout.Text>{connection.status_detail ?? 'SourcePilot can no longer reach this store. Reconnect it to import again.'}</Callout.Text>
        </Callout.Root>
      )}
      {test.data && <TestResult result={test.data} />}
      {test.isError && <Problem>{errorMessage(test.error)}</Problem>}
      {makeDefault.isError && <Problem>{errorMessage(makeDefault.error)}</Problem>}
      <Flex gap="2" wrap="wrap" mt="auto">
        {platform && reconnect && <ReconnectButton connection={connection} platform={platform} />}
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

function ConnectActions({ label }: { label?: string }) {
  return (
    <Flex gap="2" wrap="wrap" justify={{ initial: 'start', sm: 'end' }}>
      <OneClickDialog platform="shopify" />
      <OneClickDialog platform="woocommerce" />
      <ConnectStoreDialog label={label ?? 'Connect a store'} />
    </Flex>
  );
}

export default function Connections() {
  const connections = useQuery(connectionsQuery);
  const [outcome, dismiss] = useRedirectOutcome();
  return (
    <>
    <OutcomeCallout outcome={outcome} onClose={dismiss} />
    <AccountsPage
      title="Connections"
      description="The stores SourcePilot imports into. New imports go to your default store unless you choose another."
      query={connections}
      addDialog={(label) => <ConnectActions label={label} />}
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
    </>
  );
}
