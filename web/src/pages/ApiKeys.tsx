import { CheckIcon, CodeIcon, CopyIcon, ExclamationTriangleIcon, ExternalLinkIcon, InfoCircledIcon, PlusIcon } from '@radix-ui/react-icons';
import {
  Badge,
  Box,
  Button,
  Callout,
  Card,
  Checkbox,
  Code,
  DataList,
  Dialog,
  Flex,
  Link,
  Table,
  Text,
  TextField,
} from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link as RouterLink } from 'react-router';
import { API_DOCS_URL, api, unwrap, type ApiKey, type ApiKeyScope, type CreatedApiKey } from '../api/client';
import { ApiError, errorMessage } from '../api/errors';
import { apiKeysQuery } from '../api/queries';
import { PHONE_QUERY, useMediaQuery } from '../app/useMediaQuery';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DialogActions } from '../components/DialogActions';
import { FormField } from '../components/FormField';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryState, SkeletonLines } from '../components/States';
import { formatDateTime } from '../lib/format';

const SCOPES: { value: ApiKeyScope; label: string; text: string }[] = [
  { value: 'read', label: 'Read', text: 'View imports, products, connections and usage.' },
  { value: 'write', label: 'Write', text: 'Create imports and change data.' },
];

/** `error` is a failed call, or a message of our own about the form. */
function ErrorCallout({ error }: { error: unknown }) {
  // Free plans have no API access: the answer is an upgrade, so point there.
  const needsPlan = error instanceof ApiError && error.status === 403;
  const text = typeof error === 'string' ? error : errorMessage(error);
  const message = /[.!?]$/.test(text) ? text : `${text}.`;
  return (
    <Callout.Root color={needsPlan ? 'amber' : 'red'} role="alert">
      <Callout.Icon>{needsPlan ? <InfoCircledIcon /> : <ExclamationTriangleIcon />}</Callout.Icon>
      <Callout.Text>
        {message}
        {needsPlan && (
          <>
            {' '}
            <Link asChild weight="medium">
              <RouterLink to="/billing">See plans and upgrade</RouterLink>
            </Link>
          </>
        )}
      </Callout.Text>
    </Callout.Root>
  );
}

function CopyableKey({ value }: { value: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const field = useRef<HTMLInputElement>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      // Clipboard access can be refused; select the key so Ctrl/Cmd+C still works.
      field.current?.select();
      setState('manual');
    }
  }

  return (
    <Flex direction="column" gap="2">
      <Text as="label" htmlFor="new-api-key" size="2" weight="medium">
        Your new API key
      </Text>
      <Flex gap="2" align="stretch">
        <TextField.Root
          ref={field}
          id="new-api-key"
          size="3"
          className="secret-key"
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          style={{ flex: 1, minWidth: 0 }}
        />
        <Button type="button" size="3" variant={state === 'copied' ? 'soft' : 'solid'} color={state === 'copied' ? 'green' : undefined} onClick={copy}>
          {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
          {state === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </Flex>
      {state === 'manual' && (
        <Text size="1" color="gray">
          Your browser blocked copying. The key is selected: press Ctrl+C (or Cmd+C) to copy it.
        </Text>
      )}
    </Flex>
  );
}

function CreateKeyDialog() {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['read']);
  const [formError, setFormError] = useState<string | null>(null);
  // The raw key lives only here, only until the dialog closes: the API never returns it again.
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  const create = useMutation({
    mutationFn: (body: { name: string; scopes: ApiKeyScope[] }) => unwrap(api['api-keys'].$post({ json: body })),
    onSuccess: (key) => {
      setCreated(key);
      void queryClient.invalidateQueries({ queryKey: apiKeysQuery.queryKey });
    },
  });

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setName('');
      setScopes(['read']);
      setFormError(null);
      setCreated(null);
      create.reset();
    }
  }

  function toggle(scope: ApiKeyScope, on: boolean) {
    setScopes((current) => (on ? [...new Set([...current, scope])] : current.filter((s) => s !== scope)));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setFormError('Give the key a name.');
    if (scopes.length === 0) return setFormError('Choose at least one permission.');
    setFormError(null);
    create.mutate({ name: name.trim(), scopes });
  }

  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Trigger>
        <Button size="3">
          <PlusIcon /> Create API key
        </Button>
      </Dialog.Trigger>
      <Dialog.Content maxWidth="520px" aria-describedby={undefined}>
        {created ? (
          <>
            <Dialog.Title>API key created</Dialog.Title>
            <Flex direction="column" gap="4">
              <Callout.Root color="amber">
                <Callout.Icon>
                  <ExclamationTriangleIcon />
                </Callout.Icon>
                <Callout.Text>
                  Copy this key now and store it somewhere safe. <strong>You won't be able to see it again.</strong>
                </Callout.Text>
              </Callout.Root>
              <CopyableKey value={created.key} />
              <Text size="2" color="gray">
                Send it in the <Code>X-API-Key</Code> header. Name: {created.name} · Permissions: {created.scopes.join(', ')}
              </Text>
              <Flex justify="end">
                <Dialog.Close>
                  <Button size="3">Done</Button>
                </Dialog.Close>
              </Flex>
            </Flex>
          </>
        ) : (
          <form onSubmit={submit} noValidate>
            <Dialog.Title>Create API key</Dialog.Title>
            <Text as="p" size="2" color="gray" mb="4">
              Name the key after the script or service that will use it, and allow only what it needs.
            </Text>
            <Flex direction="column" gap="4">
              {formError ? <ErrorCallout error={formError} /> : create.isError && <ErrorCallout error={create.error} />}
              <FormField label="Name" placeholder="e.g. Inventory sync" value={name} maxLength={255} onChange={(e) => setName(e.target.value)} />
              <Box asChild>
                <fieldset style={{ border: 0, margin: 0, padding: 0 }}>
                  <Text as="div" size="2" weight="medium" mb="2" asChild>
                    <legend style={{ padding: 0 }}>Permissions</legend>
                  </Text>
                  <Flex direction="column" gap="3">
                    {SCOPES.map((scope) => (
                      <Text as="label" size="2" key={scope.value}>
                        <Flex gap="2" align="center">
                          <Checkbox
                            checked={scopes.includes(scope.value)}
                            onCheckedChange={(checked) => toggle(scope.value, checked === true)}
                          />
                          <span>
                            <Text weight="medium">{scope.label}</Text>
                            <Text color="gray"> · {scope.text}</Text>
                          </span>
                        </Flex>
                      </Text>
                    ))}
                  </Flex>
                </fieldset>
              </Box>
            </Flex>
            <DialogActions pending={create.isPending} label="Create key" />
          </form>
        )}
      </Dialog.Content>
    </Dialog.Root>
  );
}

function RevokeKeyDialog({ apiKey }: { apiKey: ApiKey }) {
  const queryClient = useQueryClient();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="soft" color="red" size="1" aria-label={`Revoke ${apiKey.name}`}>
          Revoke
        </Button>
      }
      title={<>Revoke “{apiKey.name}”?</>}
      description={
        <>
          Anything using the key <Code>{apiKey.key_prefix}…</Code> stops working immediately. This cannot be undone.
        </>
      }
      confirmLabel="Revoke key"
      onConfirm={() => unwrap(api['api-keys'][':key_id'].$delete({ param: { key_id: apiKey.id } }))}
      onConfirmed={() => queryClient.invalidateQueries({ queryKey: apiKeysQuery.queryKey })}
      renderError={(error) => <ErrorCallout error={error} />}
    />
  );
}

function StatusBadge({ active }: { active: boolean }) {
  return active ? <Badge color="green">Active</Badge> : <Badge color="red">Revoked</Badge>;
}

function Scopes({ scopes }: { scopes: string[] }) {
  return (
    <Flex gap="1" wrap="wrap">
      {scopes.map((s) => (
        <Badge key={s} variant="surface" color="gray">
          {s}
        </Badge>
      ))}
    </Flex>
  );
}

/** Phones get one card per key instead of a seven-column table. */
function KeysList({ keys }: { keys: ApiKey[] }) {
  return (
    <Flex asChild direction="column" gap="3">
      <ul aria-label="API keys">
        {keys.map((key) => (
          <li key={key.id}>
            <Card size="2">
              <Flex justify="between" align="start" gap="3">
                <Box minWidth="0">
                  <Text as="div" weight="bold" color={key.is_active ? undefined : 'gray'}>
                    {key.name}
                  </Text>
                  <Code variant="ghost" color="gray" size="2">
                    {key.key_prefix}…
                  </Code>
                </Box>
                <StatusBadge active={key.is_active} />
              </Flex>
              <DataList.Root size="1" mt="3">
                <DataList.Item>
                  <DataList.Label minWidth="96px">Permissions</DataList.Label>
                  <DataList.Value>
                    <Scopes scopes={key.scopes} />
                  </DataList.Value>
                </DataList.Item>
                <DataList.Item>
                  <DataList.Label minWidth="96px">Last used</DataList.Label>
                  <DataList.Value>{key.last_used_at ? formatDateTime(key.last_used_at) : 'Never'}</DataList.Value>
                </DataList.Item>
                <DataList.Item>
                  <DataList.Label minWidth="96px">Created</DataList.Label>
                  <DataList.Value>{formatDateTime(key.created_at)}</DataList.Value>
                </DataList.Item>
              </DataList.Root>
              {key.is_active && (
                <Flex justify="end" mt="3">
                  <RevokeKeyDialog apiKey={key} />
                </Flex>
              )}
            </Card>
          </li>
        ))}
      </ul>
    </Flex>
  );
}

function KeysTable({ keys }: { keys: ApiKey[] }) {
  return (
    <Card size="1" style={{ padding: 0 }}>
      <Table.Root variant="ghost" size="2">
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Name</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Key</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Permissions</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Last used</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Created</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>
              <span className="visually-hidden">Actions</span>
            </Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {keys.map((key) => (
            <Table.Row key={key.id} align="center">
              <Table.RowHeaderCell>
                <Text weight="medium" color={key.is_active ? undefined : 'gray'}>
                  {key.name}
                </Text>
              </Table.RowHeaderCell>
              <Table.Cell className="nowrap">
                <Code variant="ghost" color="gray">
                  {key.key_prefix}…
                </Code>
              </Table.Cell>
              <Table.Cell>
                <Scopes scopes={key.scopes} />
              </Table.Cell>
              <Table.Cell>
                <StatusBadge active={key.is_active} />
              </Table.Cell>
              <Table.Cell className="nowrap">
                <Text color="gray">{key.last_used_at ? formatDateTime(key.last_used_at) : 'Never'}</Text>
              </Table.Cell>
              <Table.Cell className="nowrap">
                <Text color="gray">{formatDateTime(key.created_at)}</Text>
              </Table.Cell>
              <Table.Cell justify="end">{key.is_active && <RevokeKeyDialog apiKey={key} />}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
    </Card>
  );
}

export default function ApiKeys() {
  const keys = useQuery(apiKeysQuery);
  const phone = useMediaQuery(PHONE_QUERY);
  return (
    <>
      <PageHeader
        title="API Keys"
        description="Keys let your own scripts and services call the SourcePilot API. Keep them secret: anyone with a key can act on your account."
        actions={
          <>
            <Button variant="soft" color="gray" size="3" asChild>
              <a href={API_DOCS_URL} target="_blank" rel="noopener noreferrer">
                API reference <ExternalLinkIcon />
              </a>
            </Button>
            <CreateKeyDialog />
          </>
        }
      />
      <QueryState
        query={keys}
        loading={
          <Card size="3">
            <SkeletonLines lines={4} />
          </Card>
        }
        errorTitle="Could not load your API keys"
        isEmpty={(data) => data.length === 0}
        empty={
          <EmptyState icon={<CodeIcon />} title="No API keys yet">
            Create a key to automate imports, sync prices or pull usage reports from your own tools.
          </EmptyState>
        }
      >
        {(data) => (phone ? <KeysList keys={data} /> : <KeysTable keys={data} />)}
      </QueryState>
    </>
  );
}
