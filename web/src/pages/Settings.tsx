import { CheckCircledIcon, CheckIcon, CopyIcon, EnvelopeClosedIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Callout, Card, Code, DataList, Flex, Heading, IconButton, Link, Separator, Text, Tooltip } from '@radix-ui/themes';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link as RouterLink } from 'react-router';
import { api, unwrap } from '../api/client';
import { meQuery } from '../api/queries';
import { ReviewDefault } from '../components/import-list/ReviewDefault';
import { PageHeader } from '../components/PageHeader';
import { ErrorState, QueryState, SkeletonLines } from '../components/States';
import { formatDate, PLAN_NAMES } from '../lib/format';

function Section({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <Card size="3" asChild>
      <section aria-labelledby={`${title}-heading`}>
        <Heading as="h2" size="4" id={`${title}-heading`}>
          {title}
        </Heading>
        <Text as="p" size="2" color="gray" mt="1">
          {description}
        </Text>
        <Separator size="4" my="4" />
        {children}
      </section>
    </Card>
  );
}

function CopyId({ value }: { value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Tooltip content={copied ? 'Copied' : 'Copy account ID'}>
      <IconButton
        size="1"
        variant="ghost"
        color="gray"
        aria-label="Copy account ID"
        onClick={() =>
          navigator.clipboard.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? <CheckIcon /> : <CopyIcon />}
      </IconButton>
    </Tooltip>
  );
}

function PasswordReset({ email }: { email: string }) {
  const reset = useMutation({
    mutationFn: () => unwrap(api.auth['forgot-password'].$post({ query: { email } })),
  });
  return (
    <Flex direction="column" gap="3" align="start">
      <Text as="p" size="2">
        To change your password, we'll email a reset link to <Text weight="medium">{email}</Text>.
      </Text>
      {reset.isSuccess && (
        <Callout.Root color="green" role="status">
          <Callout.Icon>
            <CheckCircledIcon />
          </Callout.Icon>
          <Callout.Text>{reset.data.message}</Callout.Text>
        </Callout.Root>
      )}
      {reset.isError && <ErrorState title="Could not send the reset email" error={reset.error} onRetry={() => reset.mutate()} />}
      <Button variant="soft" onClick={() => reset.mutate()} loading={reset.isPending}>
        <EnvelopeClosedIcon /> Send reset email
      </Button>
    </Flex>
  );
}

export default function Settings() {
  const me = useQuery(meQuery);
  return (
    <>
      <PageHeader title="Settings" description="Your account details and sign-in." />
      <QueryState
        query={me}
        loading={
          <Card size="3">
            <SkeletonLines lines={4} />
          </Card>
        }
        errorTitle="Could not load your account"
      >
        {(user) => (
          <Flex direction="column" gap="5" maxWidth="760px">
            <Section title="Account" description="The account you sign in with.">
              <DataList.Root size="2" orientation={{ initial: 'vertical', sm: 'horizontal' }}>
                <DataList.Item>
                  <DataList.Label minWidth="140px">Email</DataList.Label>
                  <DataList.Value>{user.email}</DataList.Value>
                </DataList.Item>
                <DataList.Item align="center">
                  <DataList.Label minWidth="140px">Plan</DataList.Label>
                  <DataList.Value>
                    <Flex align="center" gap="3">
                      <Badge size="2" color={user.plan === 'free' ? 'gray' : 'indigo'}>
                        {PLAN_NAMES[user.plan]}
                      </Badge>
                      <Link asChild size="2">
                        <RouterLink to="/billing">{user.plan === 'free' ? 'Upgrade' : 'Manage billing'}</RouterLink>
                      </Link>
                    </Flex>
                  </DataList.Value>
                </DataList.Item>
                <DataList.Item>
                  <DataList.Label minWidth="140px">Member since</DataList.Label>
                  <DataList.Value>{formatDate(user.created_at)}</DataList.Value>
                </DataList.Item>
                <DataList.Item align="center">
                  <DataList.Label minWidth="140px">Account ID</DataList.Label>
                  <DataList.Value>
                    <Flex align="center" gap="2" minWidth="0">
                      <Code variant="ghost" style={{ wordBreak: 'break-all' }}>
                        {user.id}
                      </Code>
                      <CopyId value={user.id} />
                    </Flex>
                  </DataList.Value>
                </DataList.Item>
              </DataList.Root>
            </Section>
            <Section title="Imports" description="Where new imports go: straight to your store, or to the import list for review first.">
              <ReviewDefault />
            </Section>
            <Section title="Password" description="Reset your password by email.">
              <Box>
                <PasswordReset email={user.email} />
              </Box>
            </Section>
          </Flex>
        )}
      </QueryState>
    </>
  );
}
