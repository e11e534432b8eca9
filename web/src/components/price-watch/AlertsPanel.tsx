import { BellIcon, CheckIcon, CopyIcon, EnvelopeClosedIcon, ExclamationTriangleIcon, InfoCircledIcon, Link2Icon, ReloadIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Callout, Card, Code, Flex, Heading, Link, Switch, Text, TextField } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/errors';
import { alertSettingsQuery, priceWatchApi, priceWatchKeys, recentAlertsQuery, type AlertSettings, type PriceAlert } from '../../api/price-watch';
import { formatDateTime, formatRelative } from '../../lib/format';
import { alertText, watchTitle } from '../../lib/price-watch';
import { FormField } from '../FormField';
import { QueryState, SkeletonLines } from '../States';

const KIND_COLOR: Record<string, 'red' | 'green' | 'amber' | 'blue'> = { out_of_stock: 'red', back_in_stock: 'green', price_change: 'amber' };

function DeliveryBadges({ alert }: { alert: PriceAlert }) {
  const delivery = alert.delivery as Record<string, { status?: string; attempts?: number; error?: string }>;
  const channels = (['email', 'webhook'] as const).filter((c) => delivery[c] && delivery[c].status !== 'off');
  if (!channels.length) {
    return (
      <Badge color="gray" variant="surface">
        Dashboard only
      </Badge>
    );
  }
  return (
    <>
      {channels.map((c) => {
        const d = delivery[c];
        const color = d.status === 'sent' ? 'green' : d.status === 'failed' ? 'red' : 'gray';
        const label = `${c === 'email' ? 'Email' : 'Webhook'} ${d.status === 'sent' ? 'sent' : d.status === 'failed' ? 'failed' : 'skipped'}`;
        return (
          <Badge key={c} color={color} variant="surface" title={d.error ?? (d.attempts ? `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}` : undefined)}>
            {label}
          </Badge>
        );
      })}
    </>
  );
}

export function RecentAlerts({ onOpenWatch }: { onOpenWatch: (watchId: string) => void }) {
  const alerts = useQuery(recentAlertsQuery);
  return (
    <Card size="3" className="alerts-card">
      <Flex align="center" gap="2" mb="3">
        <BellIcon aria-hidden="true" />
        <Heading as="h2" size="4">
          Recent alerts
        </Heading>
      </Flex>
      <QueryState
        query={alerts}
        loading={<SkeletonLines lines={4} />}
        errorTitle="Could not load the alerts"
        isEmpty={(data) => data.length === 0}
        empty={
          <Text as="p" size="2" color="gray">
            No alerts yet. When a supplier price moves beyond a watch’s threshold, or a product sells out, it shows up here.
          </Text>
        }
      >
        {(data) => (
          <Flex asChild direction="column" gap="3">
            <ul aria-label="Recent alerts">
              {data.map((a) => (
                <li key={a.id} className="alert-item">
                  <Flex justify="between" gap="3" align="start">
                    <Box minWidth="0">
                      <Link asChild size="2" weight="medium" highContrast>
                        <button type="button" className="link-button ellipsis" onClick={() => onOpenWatch(a.watch_id)}>
                          {watchTitle(a)}
                        </button>
                      </Link>
                      <Text as="div" size="2" color={KIND_COLOR[a.kind] ?? 'gray'}>
                        {alertText(a)}
                      </Text>
                      <Flex gap="1" mt="1" wrap="wrap">
                        <DeliveryBadges alert={a} />
                      </Flex>
                    </Box>
                    <Text size="1" color="gray" className="nowrap" title={formatDateTime(a.created_at)}>
                      {formatRelative(a.created_at)}
                    </Text>
                  </Flex>
                </li>
              ))}
            </ul>
          </Flex>
        )}
      </QueryState>
    </Card>
  );
}

function SecretOnce({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  return (
    <Callout.Root color="amber" role="status">
      <Callout.Icon>
        <ExclamationTriangleIcon />
      </Callout.Icon>
      <Flex direction="column" gap="2" width="100%">
        <Callout.Text>
          Your webhook signing secret. Copy it now: <strong>it won’t be shown again.</strong>
        </Callout.Text>
        <Flex gap="2">
          <TextField.Root ref={field} readOnly value={secret} aria-label="Webhook signing secret" className="secret-key" style={{ flex: 1, minWidth: 0 }} onFocus={(e) => e.currentTarget.select()} />
          <Button
            type="button"
            variant="soft"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(secret);
                setCopied(true);
              } catch {
                field.current?.select();
              }
            }}
          >
            {copied ? <CheckIcon /> : <CopyIcon />} {copied ? 'Copied' : 'Copy'}
          </Button>
        </Flex>
        <Text size="1">
          Each call carries <Code>X-SourcePilot-Signature</Code>: the hex HMAC-SHA256 of <Code>{'{X-SourcePilot-Timestamp}.{body}'}</Code> with this secret.
        </Text>
      </Flex>
    </Callout.Root>
  );
}

/** Whether the saved address is confirmed; a way to send the link again when it is not. */
function EmailConfirmation({ settings }: { settings: AlertSettings }) {
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: priceWatchApi.resendConfirmation,
    onSuccess: (result) => queryClient.setQueryData(priceWatchKeys.settings, result),
  });
  if (!settings.email) return null;
  if (settings.email_verified) {
    return (
      <Text as="p" size="1" color="green" mt="1">
        <CheckIcon aria-hidden="true" /> {settings.email} is confirmed.
      </Text>
    );
  }
  return (
    <Callout.Root color="amber" size="1" mt="2" role="status" aria-label="Alert address not confirmed">
      <Callout.Icon>
        <InfoCircledIcon />
      </Callout.Icon>
      <Callout.Text>
        {settings.email} is not confirmed yet, so no alert is emailed there.{' '}
        {settings.email_confirmation_sent_at ? `We sent a confirmation link ${formatRelative(settings.email_confirmation_sent_at)}. ` : ''}
        <Button type="button" variant="ghost" size="1" loading={resend.isPending} onClick={() => resend.mutate()}>
          Send the link again
        </Button>
        {resend.isError && (
          <Text as="span" color="red" role="alert">
            {' '}
            {errorMessage(resend.error)}
          </Text>
        )}
        {resend.isSuccess && (
          <Text as="span" color="green">
            {' '}
            {resend.data.email_confirmation === 'sent' ? 'Sent.' : resend.data.email_confirmation === 'failed' ? 'The email could not be sent; try again later.' : 'No email service is configured here.'}
          </Text>
        )}
      </Callout.Text>
    </Callout.Root>
  );
}

function SettingsForm({ settings, accountEmail }: { settings: AlertSettings; accountEmail: string | undefined }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState(settings.email ?? accountEmail ?? '');
  const [emailOn, setEmailOn] = useState(settings.email_enabled);
  const [hookUrl, setHookUrl] = useState(settings.webhook_url ?? '');
  const [hookOn, setHookOn] = useState(settings.webhook_enabled);
  const [secret, setSecret] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => setSaved(false), [email, emailOn, hookUrl, hookOn]);

  const save = useMutation({
    mutationFn: (rotate: boolean) =>
      priceWatchApi.saveAlertSettings({
        email: email.trim() || null,
        email_enabled: emailOn,
        webhook_url: hookUrl.trim() || null,
        webhook_enabled: hookOn,
        ...(rotate ? { rotate_webhook_secret: true } : {}),
      }),
    onSuccess: (result) => {
      if (result.webhook_secret) setSecret(result.webhook_secret);
      setSaved(true);
      queryClient.setQueryData(priceWatchKeys.settings, result);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(false);
  }

  return (
    <form onSubmit={submit} noValidate>
      <Flex direction="column" gap="4">
        <Box>
          <Text as="label" size="2" weight="medium">
            <Flex gap="2" align="center" mb="2">
              <Switch checked={emailOn} onCheckedChange={setEmailOn} />
              <EnvelopeClosedIcon aria-hidden="true" /> Email alerts
            </Flex>
          </Text>
          <FormField label="Email address" type="email" value={email} maxLength={255} onChange={(e) => setEmail(e.target.value)} placeholder="you@shop.com" />
          <EmailConfirmation settings={settings} />
          {!settings.email_delivery_available && (
            <Text as="p" size="1" color="gray" mt="1">
              <InfoCircledIcon aria-hidden="true" /> This SourcePilot has no email service configured; alerts are shown here only.
            </Text>
          )}
        </Box>
        <Box>
          <Text as="label" size="2" weight="medium">
            <Flex gap="2" align="center" mb="2">
              <Switch checked={hookOn} onCheckedChange={setHookOn} />
              <Link2Icon aria-hidden="true" /> Webhook
            </Flex>
          </Text>
          <FormField
            label="Webhook URL"
            value={hookUrl}
            maxLength={2000}
            onChange={(e) => setHookUrl(e.target.value)}
            placeholder="https://hooks.example.com/sourcepilot"
            hint={settings.webhook_secret_hint ? `Signed with the secret ending ${settings.webhook_secret_hint.replace(/^•+/, '')}.` : 'A signing secret is generated when you save a URL.'}
          />
        </Box>
        {secret && <SecretOnce secret={secret} />}
        {save.isError && (
          <Callout.Root color="red" role="alert">
            <Callout.Icon>
              <ExclamationTriangleIcon />
            </Callout.Icon>
            <Callout.Text>{errorMessage(save.error)}</Callout.Text>
          </Callout.Root>
        )}
        <Flex gap="3" justify="end" align="center" wrap="wrap">
          {saved && !save.isPending && (
            <Text size="2" color="green" role="status">
              <CheckIcon aria-hidden="true" /> Saved
            </Text>
          )}
          {settings.webhook_secret_hint && (
            <Button type="button" variant="soft" color="gray" loading={save.isPending && save.variables === true} onClick={() => save.mutate(true)}>
              <ReloadIcon /> New secret
            </Button>
          )}
          <Button type="submit" loading={save.isPending && save.variables === false}>
            Save alert settings
          </Button>
        </Flex>
      </Flex>
    </form>
  );
}

export function AlertSettingsCard({ accountEmail }: { accountEmail: string | undefined }) {
  const settings = useQuery(alertSettingsQuery);
  return (
    <Card size="3">
      <Heading as="h2" size="4" mb="1">
        Alert settings
      </Heading>
      <Text as="p" size="2" color="gray" mb="4">
        Every alert is listed on this page. Also send them by email, or to your own system through a signed webhook.
      </Text>
      <QueryState query={settings} loading={<SkeletonLines lines={4} />} errorTitle="Could not load the alert settings">
        {(data) => <SettingsForm settings={data} accountEmail={accountEmail} />}
      </QueryState>
    </Card>
  );
}
